package io.jdiffusion.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level byte-pair encoding (transformers' CLIPTokenizer.bpe and bytes_to_unicode; the scheme of
 * OpenAI's simple_tokenizer.py): a pre-token's UTF-8 bytes become printable stand-in characters, the last one
 * carrying the word end {@code </w>}, and the adjacent pair with the lowest merge rank is joined, every
 * occurrence left to right, until no pair has a rank. Merges are ranked by their order in merges.txt.
 */
final class ByteLevelBpe {
  static final String WORD_END = "</w>";
  private static final int CACHE_LIMIT = 200_000;

  /** bytes_to_unicode(): byte -> code point. */
  static final int[] BYTE_TO_CHAR = byteAlphabet();

  private static final Map<Integer, Integer> CHAR_TO_BYTE = new HashMap<>();

  static {
    for (int b = 0; b < 256; b++) {
      CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
    }
  }

  private final Map<String, Map<String, Integer>> ranks;
  private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

  /** @param merges the merge pairs, best first */
  ByteLevelBpe(List<String[]> merges) {
    ranks = new HashMap<>();
    for (int i = 0; i < merges.size(); i++) {
      String[] m = merges.get(i);
      // dict(zip(merges, range(n))): a repeated pair keeps its last rank
      ranks.computeIfAbsent(m[0], k -> new HashMap<>()).put(m[1], i);
    }
    cache.put("<|startoftext|>", List.of("<|startoftext|>"));
    cache.put("<|endoftext|>", List.of("<|endoftext|>"));
  }

  private static int[] byteAlphabet() {
    int[] table = new int[256];
    Arrays.fill(table, -1);
    for (int b = '!'; b <= '~'; b++) {
      table[b] = b;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      table[b] = b;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      table[b] = b;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (table[b] < 0) {
        table[b] = 256 + n++;
      }
    }
    return table;
  }

  /** A pre-token's UTF-8 bytes in the byte alphabet. */
  static String toByteChars(String piece) {
    StringBuilder out = new StringBuilder();
    for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
      out.appendCodePoint(BYTE_TO_CHAR[b & 0xFF]);
    }
    return out.toString();
  }

  /**
   * Byte-alphabet text back to text: bytes decoded as UTF-8 with errors="replace".
   *
   * @throws TokenizerException for a character outside the byte alphabet (Python fails there with a KeyError)
   */
  static String fromByteChars(String text) {
    byte[] bytes = new byte[text.length()];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      Integer b = CHAR_TO_BYTE.get(cp);
      if (b == null) {
        throw new TokenizerException("cannot decode " + new String(Character.toChars(cp))
            + ": not a character of CLIP's byte alphabet (an added token with such a character cannot be decoded)");
      }
      bytes[n++] = (byte) (int) b;
      i += Character.charCount(cp);
    }
    return PythonText.decodeUtf8(bytes, n);
  }

  /** CLIPTokenizer.bpe of one byte-alphabet pre-token: its BPE symbols. */
  List<String> bpe(String token) {
    List<String> hit = cache.get(token);
    if (hit != null) {
      return hit;
    }
    int[] cps = token.codePoints().toArray();
    List<String> word = new ArrayList<>(cps.length);
    for (int i = 0; i < cps.length; i++) {
      String s = new String(cps, i, 1);
      word.add(i == cps.length - 1 ? s + WORD_END : s);
    }
    while (word.size() > 1) {
      int best = Integer.MAX_VALUE;
      String first = null;
      String second = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Map<String, Integer> r = ranks.get(word.get(i));
        Integer rank = r == null ? null : r.get(word.get(i + 1));
        if (rank != null && rank < best) {
          best = rank;
          first = word.get(i);
          second = word.get(i + 1);
        }
      }
      if (first == null) {
        break;
      }
      List<String> merged = new ArrayList<>(word.size());
      for (int i = 0; i < word.size(); ) {
        if (i < word.size() - 1 && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
          merged.add(first + second);
          i += 2;
        } else {
          merged.add(word.get(i));
          i++;
        }
      }
      word = merged;
    }
    List<String> result = List.copyOf(word);
    if (cache.size() < CACHE_LIMIT) {
      cache.put(token, result); // transformers' cache is unbounded; a long-running server's need not be
    }
    return result;
  }
}
