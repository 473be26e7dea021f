package io.jdiffusion.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The character properties that transformers' slow CLIPTokenizer reads from Python (unicodedata.category,
 * str.isspace, str.lower, the `regex` module's {@code \p{L}} / {@code \p{N}} / {@code \s} under IGNORECASE, and
 * the combining classes and canonical decompositions behind unicodedata.normalize("NFC")),
 * taken from the table {@code python-unicode.txt} that scripts/t2i/python_unicode_table.py writes on Python 3.13
 * (Unicode 15.1) rather than from java.lang.Character (Unicode 13 on Java 17): an emoji added after Unicode 13 is
 * a symbol for Python and must not become an unassigned "control" character that BERT's clean-up drops.
 */
final class PythonUnicode {
  static final int RE_LETTER = 1;
  static final int RE_NUMBER = 2;
  static final int RE_OTHER = 4;
  static final int SPACE = 8;
  static final int CASED = 16;
  static final int CASE_IGNORABLE = 32;

  private static final PythonUnicode TABLE = load();

  private final int[] starts;
  private final String[] categories;
  private final byte[] flags;
  private final Map<Integer, int[]> lower;
  private final Map<Integer, int[]> foldsTo;
  private final int[] cccStarts;
  private final int[] cccValues;
  private final Map<Integer, int[]> decompositions;
  private final Map<Long, Integer> compositions;

  private PythonUnicode(int[] starts, String[] categories, byte[] flags, Map<Integer, int[]> lower,
      Map<Integer, int[]> foldsTo, int[] cccStarts, int[] cccValues, Map<Integer, int[]> decompositions,
      Map<Long, Integer> compositions) {
    this.starts = starts;
    this.categories = categories;
    this.flags = flags;
    this.lower = lower;
    this.foldsTo = foldsTo;
    this.cccStarts = cccStarts;
    this.cccValues = cccValues;
    this.decompositions = decompositions;
    this.compositions = compositions;
  }

  /** unicodedata.combining: the canonical combining class. */
  int combiningClass(int cp) {
    int i = Arrays.binarySearch(cccStarts, cp);
    return cccValues[i >= 0 ? i : -i - 2];
  }

  /** One level of canonical decomposition, or null. */
  int[] decomposition(int cp) {
    return decompositions.get(cp);
  }

  /** The primary composite of a pair, or -1. */
  int compose(int first, int second) {
    Integer c = compositions.get(((long) first << 21) | second);
    return c == null ? -1 : c;
  }

  static PythonUnicode get() {
    return TABLE;
  }

  private int run(int cp) {
    int i = Arrays.binarySearch(starts, cp);
    return i >= 0 ? i : -i - 2;
  }

  /** unicodedata.category. */
  String category(int cp) {
    return categories[run(cp)];
  }

  boolean has(int cp, int flag) {
    return (flags[run(cp)] & flag) != 0;
  }

  /** str.isspace(). */
  boolean isSpace(int cp) {
    return has(cp, SPACE);
  }

  /** str.isprintable() of one character: not in categories C* or Z*, except the ASCII space. */
  boolean isPrintable(int cp) {
    if (cp == ' ') {
      return true;
    }
    char c = category(cp).charAt(0);
    return c != 'C' && c != 'Z';
  }

  /** Whether the ASCII pattern character {@code ascii} matches {@code cp} under regex.IGNORECASE. */
  boolean matchesIgnoreCase(int ascii, int cp) {
    if (ascii == cp) {
      return true;
    }
    int[] others = foldsTo.get(ascii);
    if (others != null) {
      for (int o : others) {
        if (o == cp) {
          return true;
        }
      }
    }
    return false;
  }

  /** Python's str.lower(), including the final-sigma rule of CPython's handle_capital_sigma. */
  String lower(String s) {
    int[] cps = s.codePoints().toArray();
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < cps.length; i++) {
      int c = cps[i];
      if (c == 0x3A3) {
        out.appendCodePoint(finalSigma(cps, i) ? 0x3C2 : 0x3C3);
        continue;
      }
      int[] low = lower.get(c);
      if (low == null) {
        out.appendCodePoint(c);
      } else {
        for (int l : low) {
          out.appendCodePoint(l);
        }
      }
    }
    return out.toString();
  }

  // \p{cased} \p{case-ignorable}* SIGMA !(\p{case-ignorable}* \p{cased})
  private boolean finalSigma(int[] cps, int i) {
    int j = i - 1;
    while (j >= 0 && has(cps[j], CASE_IGNORABLE)) {
      j--;
    }
    if (j < 0 || !has(cps[j], CASED)) {
      return false;
    }
    j = i + 1;
    while (j < cps.length && has(cps[j], CASE_IGNORABLE)) {
      j++;
    }
    return j == cps.length || !has(cps[j], CASED);
  }

  private static PythonUnicode load() {
    List<Integer> starts = new ArrayList<>();
    List<String> cats = new ArrayList<>();
    List<Byte> flags = new ArrayList<>();
    Map<Integer, int[]> lower = new HashMap<>();
    Map<Integer, int[]> folds = new HashMap<>();
    List<Integer> cccStarts = new ArrayList<>();
    List<Integer> cccValues = new ArrayList<>();
    Map<Integer, int[]> decompositions = new HashMap<>();
    java.util.Set<Integer> excluded = new java.util.HashSet<>();
    try (InputStream in = PythonUnicode.class.getResourceAsStream("python-unicode.txt")) {
      if (in == null) {
        throw new IllegalStateException("resource io/jdiffusion/text/python-unicode.txt is missing");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(" ");
        switch (f[0]) {
          case "R" -> {
            starts.add(Integer.parseInt(f[1], 16));
            cats.add(f[2].intern());
            flags.add((byte) Integer.parseInt(f[3], 16));
          }
          case "L" -> lower.put(Integer.parseInt(f[1], 16), hex(f));
          case "F" -> folds.put(Integer.parseInt(f[1], 16), hex(f));
          case "C" -> {
            cccStarts.add(Integer.parseInt(f[1], 16));
            cccValues.add(Integer.parseInt(f[2]));
          }
          case "D" -> decompositions.put(Integer.parseInt(f[1], 16), hex(f));
          case "X" -> excluded.add(Integer.parseInt(f[1], 16));
          default -> throw new IllegalStateException("python-unicode.txt: bad line " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] s = starts.stream().mapToInt(Integer::intValue).toArray();
    byte[] fl = new byte[flags.size()];
    for (int i = 0; i < fl.length; i++) {
      fl[i] = flags.get(i);
    }
    Map<Long, Integer> compositions = new HashMap<>();
    decompositions.forEach((cp, d) -> {
      if (d.length == 2 && !excluded.contains(cp)) {
        compositions.put(((long) d[0] << 21) | d[1], cp);
      }
    });
    return new PythonUnicode(s, cats.toArray(new String[0]), fl, lower, folds,
        cccStarts.stream().mapToInt(Integer::intValue).toArray(),
        cccValues.stream().mapToInt(Integer::intValue).toArray(), decompositions, compositions);
  }

  private static int[] hex(String[] f) {
    int[] out = new int[f.length - 2];
    for (int i = 2; i < f.length; i++) {
      out[i - 2] = Integer.parseInt(f[i], 16);
    }
    return out;
  }
}
