package io.jdiffusion.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python string operations the CLIP tokenizer's results depend on, with Python's definitions rather than
 * Java's: {@code str.strip()} / {@code str.split()} on {@code str.isspace()} characters (Java's strip uses a
 * different whitespace set), {@code bytes.decode("utf-8", errors="replace")} (one U+FFFD per maximal invalid
 * subpart, as CPython's decoder), and {@code repr(str)} for quoting text the way a Python log line shows it.
 */
final class PythonText {
  private PythonText() {}

  /** str.strip(). */
  static String strip(String s) {
    PythonUnicode u = PythonUnicode.get();
    int start = 0;
    int end = s.length();
    while (start < end && u.isSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && u.isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /** str.rstrip(). */
  static String rstrip(String s) {
    PythonUnicode u = PythonUnicode.get();
    int end = s.length();
    while (end > 0 && u.isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(0, end);
  }

  /** str.lstrip(). */
  static String lstrip(String s) {
    PythonUnicode u = PythonUnicode.get();
    int start = 0;
    while (start < s.length() && u.isSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    return s.substring(start);
  }

  /** str.split() with no separator: runs of isspace() characters separate, no empty pieces. */
  static List<String> split(String s) {
    PythonUnicode u = PythonUnicode.get();
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && u.isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      int start = i;
      while (i < n && !u.isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }

  /** bytes.decode("utf-8", errors="replace"): each maximal invalid subpart becomes one U+FFFD. */
  static String decodeUtf8(byte[] b, int len) {
    StringBuilder out = new StringBuilder(len);
    int i = 0;
    while (i < len) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        out.append((char) c);
        i++;
        continue;
      }
      int need;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) {
          lo = 0xA0;
        } else if (c == 0xED) {
          hi = 0x9F;
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) {
          lo = 0x90;
        } else if (c == 0xF4) {
          hi = 0x8F;
        }
      } else {
        out.append('\uFFFD');
        i++;
        continue;
      }
      int cp = c & (0x3F >> need);
      int j = i + 1;
      boolean ok = true;
      for (int k = 0; k < need; k++, j++) {
        int lower = k == 0 ? lo : 0x80;
        int upper = k == 0 ? hi : 0xBF;
        if (j >= len || (b[j] & 0xFF) < lower || (b[j] & 0xFF) > upper) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b[j] & 0x3F);
      }
      if (ok) {
        out.appendCodePoint(cp);
      } else {
        out.append('\uFFFD');
      }
      i = j;
    }
    return out.toString();
  }

  /** repr(str). */
  static String repr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    PythonUnicode u = PythonUnicode.get();
    StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
    s.codePoints().forEach(c -> {
      if (c == quote || c == '\\') {
        out.append('\\').append((char) c);
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c < ' ' || c == 0x7F) {
        out.append(String.format("\\x%02x", c));
      } else if (c < 0x7F || u.isPrintable(c)) {
        out.appendCodePoint(c);
      } else if (c <= 0xFF) {
        out.append(String.format("\\x%02x", c));
      } else if (c <= 0xFFFF) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append(String.format("\\U%08x", c));
      }
    });
    return out.append(quote).toString();
  }
}
