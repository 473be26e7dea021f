package io.jdiffusion.text;

import java.util.Arrays;

/**
 * {@code unicodedata.normalize("NFC", s)} on Python 3.13 (Unicode 15.1), as BERT's BasicTokenizer applies it:
 * full canonical decomposition (Hangul syllables algorithmically), canonical ordering of combining marks by
 * combining class, then canonical composition (UAX #15, with its sample code's handling of blocked pairs). The
 * data come from {@link PythonUnicode}; java.text.Normalizer on Java 17 knows Unicode 13 and leaves the marks
 * added since then (U+1DFA, U+0C3C, U+1715, U+10EFD, ...) unordered.
 */
final class PythonNfc {
  private static final int S_BASE = 0xAC00;
  private static final int L_BASE = 0x1100;
  private static final int V_BASE = 0x1161;
  private static final int T_BASE = 0x11A7;
  private static final int L_COUNT = 19;
  private static final int V_COUNT = 21;
  private static final int T_COUNT = 28;
  private static final int N_COUNT = V_COUNT * T_COUNT;
  private static final int S_COUNT = L_COUNT * N_COUNT;

  private PythonNfc() {}

  /** A growable list of code points. */
  private static final class CodePoints {
    int[] a = new int[16];
    int n;

    void add(int cp) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = cp;
    }
  }

  static String nfc(CharSequence text) {
    PythonUnicode u = PythonUnicode.get();
    CodePoints buf = new CodePoints();
    for (int i = 0; i < text.length(); ) {
      int cp = Character.codePointAt(text, i);
      i += Character.charCount(cp);
      decompose(u, cp, buf);
    }
    order(u, buf.a, buf.n);
    int n = compose(u, buf.a, buf.n);
    return new String(buf.a, 0, n);
  }

  private static void decompose(PythonUnicode u, int cp, CodePoints out) {
    if (cp >= S_BASE && cp < S_BASE + S_COUNT) {
      int s = cp - S_BASE;
      out.add(L_BASE + s / N_COUNT);
      out.add(V_BASE + (s % N_COUNT) / T_COUNT);
      if (s % T_COUNT != 0) {
        out.add(T_BASE + s % T_COUNT);
      }
      return;
    }
    int[] d = u.decomposition(cp);
    if (d == null) {
      out.add(cp);
      return;
    }
    for (int c : d) {
      decompose(u, c, out);
    }
  }

  /** Canonical ordering: each run of non-starters sorted, stably, by combining class. */
  private static void order(PythonUnicode u, int[] buf, int n) {
    for (int i = 1; i < n; i++) {
      int c = buf[i];
      int cc = u.combiningClass(c);
      if (cc == 0) {
        continue;
      }
      int j = i;
      while (j > 0 && u.combiningClass(buf[j - 1]) > cc) {
        buf[j] = buf[j - 1];
        j--;
      }
      buf[j] = c;
    }
  }

  private static int compose(PythonUnicode u, int[] buf, int n) {
    if (n == 0) {
      return 0;
    }
    int starterPos = 0;
    int starter = buf[0];
    int lastClass = u.combiningClass(starter) == 0 ? 0 : 256;
    int out = 1;
    for (int i = 1; i < n; i++) {
      int c = buf[i];
      int cc = u.combiningClass(c);
      int composite = pair(u, starter, c);
      if (composite >= 0 && (lastClass < cc || lastClass == 0)) {
        buf[starterPos] = composite;
        starter = composite;
      } else {
        if (cc == 0) {
          starterPos = out;
          starter = c;
        }
        lastClass = cc;
        buf[out++] = c;
      }
    }
    return out;
  }

  private static int pair(PythonUnicode u, int first, int second) {
    if (first >= L_BASE && first < L_BASE + L_COUNT && second >= V_BASE && second < V_BASE + V_COUNT) {
      return S_BASE + ((first - L_BASE) * V_COUNT + (second - V_BASE)) * T_COUNT;
    }
    if (first >= S_BASE && first < S_BASE + S_COUNT && (first - S_BASE) % T_COUNT == 0
        && second > T_BASE && second < T_BASE + T_COUNT) {
      return first + (second - T_BASE);
    }
    return u.compose(first, second);
  }
}
