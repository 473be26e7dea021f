package io.jdiffusion.util;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?" for a mistyped name: the closest known name by edit distance, if close enough. */
public final class DidYouMean {
  private DidYouMean() {}

  /**
   * The known name closest to {@code typed} (Levenshtein distance, case-insensitive) when it is at most
   * 2 edits away and less than half of the typed length, else null.
   */
  public static String closest(String typed, Collection<String> known) {
    String t = typed.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(t, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return bestDistance > 0 && bestDistance <= 2 && 2 * bestDistance < t.length() ? best : null;
  }

  /** {@code "; did you mean 'NAME'?"} for {@link #closest}, or "" when nothing is close. */
  public static String hint(String typed, Collection<String> known) {
    String c = closest(typed, known);
    return c == null ? "" : "; did you mean '" + c + "'?";
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
