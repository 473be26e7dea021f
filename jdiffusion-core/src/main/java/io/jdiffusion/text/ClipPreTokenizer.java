package io.jdiffusion.text;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIPTokenizer's pre-tokenization: {@code re.findall} of the case-insensitive pattern (the `regex` module)
 * <pre>{@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}</pre>
 * written out as a scanner: at each position the first alternative that matches wins, a run takes as much as
 * it can (nothing follows it in its alternative, so greedy is exact), and a position where nothing matches
 * (whitespace) is skipped. Which characters each class and each letter match under IGNORECASE comes from
 * {@link PythonUnicode}, read from the `regex` module itself.
 */
final class ClipPreTokenizer {
  private static final int[][] LITERALS = {
    "<|startoftext|>".codePoints().toArray(),
    "<|endoftext|>".codePoints().toArray(),
    "'s".codePoints().toArray(),
    "'t".codePoints().toArray(),
    "'re".codePoints().toArray(),
    "'ve".codePoints().toArray(),
    "'m".codePoints().toArray(),
    "'ll".codePoints().toArray(),
    "'d".codePoints().toArray(),
  };

  private ClipPreTokenizer() {}

  static List<String> split(String text) {
    PythonUnicode u = PythonUnicode.get();
    int[] cps = text.codePoints().toArray();
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < cps.length) {
      int end = literal(u, cps, i);
      if (end < 0 && u.has(cps[i], PythonUnicode.RE_LETTER)) {
        end = run(u, cps, i, PythonUnicode.RE_LETTER);
      }
      if (end < 0 && u.has(cps[i], PythonUnicode.RE_NUMBER)) {
        end = i + 1;
      }
      if (end < 0 && u.has(cps[i], PythonUnicode.RE_OTHER)) {
        end = run(u, cps, i, PythonUnicode.RE_OTHER);
      }
      if (end < 0) {
        i++;
        continue;
      }
      out.add(new String(cps, i, end - i));
      i = end;
    }
    return out;
  }

  private static int literal(PythonUnicode u, int[] cps, int at) {
    for (int[] lit : LITERALS) {
      if (at + lit.length > cps.length) {
        continue;
      }
      boolean match = true;
      for (int k = 0; k < lit.length && match; k++) {
        match = u.matchesIgnoreCase(lit[k], cps[at + k]);
      }
      if (match) {
        return at + lit.length;
      }
    }
    return -1;
  }

  private static int run(PythonUnicode u, int[] cps, int at, int flag) {
    int j = at;
    while (j < cps.length && u.has(cps[j], flag)) {
      j++;
    }
    return j;
  }
}
