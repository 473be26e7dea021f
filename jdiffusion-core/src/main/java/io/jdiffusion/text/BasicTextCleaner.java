package io.jdiffusion.text;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIPTokenizer's text clean-up when ftfy is not installed: its copy of BERT's {@code BasicTokenizer}
 * (transformers, models/clip/tokenization_clip.py @ 01f287b3) built with {@code strip_accents=False,
 * do_split_on_punc=False}, whose words CLIPTokenizer._tokenize joins with single spaces. In order:
 * <ol>
 *   <li>{@code _clean_text}: drop U+0000, U+FFFD and control characters (category C*, but not tab, newline,
 *       carriage return); every whitespace character (space, tab, newline, carriage return, category Zs) becomes
 *       a space;</li>
 *   <li>{@code _tokenize_chinese_chars}: a space on each side of every CJK ideograph (BERT's code point ranges);</li>
 *   <li>NFC normalization;</li>
 *   <li>{@code whitespace_tokenize}: Python's str.split(); each word lower-cased with str.lower() (accents kept,
 *       punctuation not split off).</li>
 * </ol>
 * Character properties come from {@link PythonUnicode}, NFC from {@link PythonNfc}: Python 3.13's Unicode 15.1,
 * not Java 17's Unicode 13.
 */
final class BasicTextCleaner {
  private BasicTextCleaner() {}

  /** The words, lower-cased, as BasicTokenizer.tokenize returns them. */
  static List<String> words(String text) {
    PythonUnicode u = PythonUnicode.get();
    StringBuilder cleaned = new StringBuilder(text.length() + 8);
    text.codePoints().forEach(cp -> {
      if (cp == 0 || cp == 0xFFFD || isControl(u, cp)) {
        return;
      }
      if (isWhitespace(u, cp)) {
        cleaned.append(' ');
      } else if (isCjk(cp)) {
        cleaned.append(' ').appendCodePoint(cp).append(' ');
      } else {
        cleaned.appendCodePoint(cp);
      }
    });
    String normalized = PythonNfc.nfc(cleaned);
    List<String> words = new ArrayList<>();
    for (String w : PythonText.split(normalized)) {
      words.add(u.lower(w));
    }
    // BasicTokenizer splits the lower-cased words once more (" ".join, whitespace_tokenize)
    return PythonText.split(String.join(" ", words));
  }

  /** transformers' _is_whitespace. */
  static boolean isWhitespace(PythonUnicode u, int cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || u.category(cp).equals("Zs");
  }

  /** transformers' _is_control. */
  static boolean isControl(PythonUnicode u, int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    return u.category(cp).charAt(0) == 'C';
  }

  /** BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks BERT names. */
  static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
