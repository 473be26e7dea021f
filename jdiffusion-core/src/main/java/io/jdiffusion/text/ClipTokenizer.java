package io.jdiffusion.text;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CLIP tokenizer of Stable Diffusion pipelines, equal to transformers' slow {@code CLIPTokenizer} without
 * ftfy (models/clip/tokenization_clip.py @ 01f287b3 on the PreTrainedTokenizer base of transformers 4.57.6, the
 * last release with the slow class; transformers 5 backs CLIPTokenizer with the `tokenizers` library, which
 * differs on control characters, CJK ideographs and more) as diffusers calls it: {@code tokenizer(prompt, padding="max_length", max_length=77, truncation=True)}.
 * Plain Java; no native code.
 *
 * <p>A prompt is cut around added tokens ({@link AddedTokenSplitter}: the special tokens, SD 2.x's pad token
 * {@code !}, textual-inversion tokens); each other piece is cleaned and lower-cased ({@link BasicTextCleaner}),
 * pre-tokenized ({@link ClipPreTokenizer}) and byte-pair encoded ({@link ByteLevelBpe}); a token missing from the
 * vocabulary becomes the unknown token. {@link #encode} adds bos and eos, keeps {@code model_max_length - 2} tokens
 * and pads on the right.
 *
 * <pre>{@code
 * ClipTokenizer tok = ClipTokenizer.load(pipelineDir.resolve("tokenizer"));
 * PromptEncoding e = tok.encodeForPipeline("a photo of an astronaut riding a horse on mars");
 * e.warning().ifPresent(log::warn);   // diffusers' truncation note
 * int[] ids = e.ids();                // 77 ids for the text encoder
 * }</pre>
 * Instances are immutable apart from a thread-safe cache and may be shared between threads.
 */
public final class ClipTokenizer {
  private final Map<String, Integer> vocab;
  private final Map<Integer, String> idToToken;
  private final ByteLevelBpe bpe;
  private final Map<String, Integer> addedIds;
  private final Map<Integer, AddedToken> addedTokens;
  private final AddedTokenSplitter splitter;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final int unkId;
  private final int modelMaxLength;
  private final boolean cleanUpSpaces;

  ClipTokenizer(Map<String, Integer> vocab, Map<Integer, String> idToToken, ByteLevelBpe bpe,
      Map<String, Integer> addedIds, Map<Integer, AddedToken> addedTokens, int bosId, int eosId, int padId,
      int unkId, int modelMaxLength, boolean cleanUpSpaces) {
    this.vocab = vocab;
    this.idToToken = idToToken;
    this.bpe = bpe;
    this.addedIds = addedIds;
    this.addedTokens = addedTokens;
    Map<String, AddedToken> byContent = new HashMap<>();
    addedTokens.values().forEach(t -> byContent.put(t.content(), t));
    this.splitter = new AddedTokenSplitter(byContent);
    this.bosId = bosId;
    this.eosId = eosId;
    this.padId = padId;
    this.unkId = unkId;
    this.modelMaxLength = modelMaxLength;
    this.cleanUpSpaces = cleanUpSpaces;
  }

  /**
   * Loads a diffusers pipeline's {@code tokenizer/} folder (see {@link ClipTokenizerFolder}).
   *
   * @throws TokenizerException naming the missing or malformed file
   */
  public static ClipTokenizer load(Path folder) {
    return ClipTokenizerFolder.read(folder);
  }

  /** tokenizer.model_max_length: the length of {@link #encode}'s result (77 for CLIP). */
  public int modelMaxLength() {
    return modelMaxLength;
  }

  public int bosId() {
    return bosId;
  }

  public int eosId() {
    return eosId;
  }

  public int padId() {
    return padId;
  }

  /** len(tokenizer): vocabulary and added tokens, distinct. */
  public int size() {
    Set<String> all = new HashSet<>(vocab.keySet());
    all.addAll(addedIds.keySet());
    return all.size();
  }

  /** tokenizer.tokenize(prompt): the token strings (byte alphabet, {@code </w>} at word ends). */
  public List<String> tokenize(String prompt) {
    List<String> out = new ArrayList<>();
    for (String piece : splitter.split(prompt)) {
      if (splitter.isAdded(piece)) {
        out.add(piece);
        continue;
      }
      String text = String.join(" ", BasicTextCleaner.words(piece));
      for (String pre : ClipPreTokenizer.split(text)) {
        out.addAll(bpe.bpe(ByteLevelBpe.toByteChars(pre)));
      }
    }
    return out;
  }

  /** The prompt's token ids, without bos / eos, untruncated. */
  public int[] tokenIds(String prompt) {
    return tokenize(prompt).stream().mapToInt(this::tokenId).toArray();
  }

  private int tokenId(String token) {
    Integer id = addedIds.get(token);
    if (id == null) {
      id = vocab.get(token);
    }
    return id == null ? unkId : id;
  }

  /** {@code tokenizer(prompt, padding="max_length", max_length=model_max_length, truncation=True).input_ids}. */
  public int[] encode(String prompt) {
    return pad(withSpecials(tokenIds(prompt), modelMaxLength - 2));
  }

  /** {@code tokenizer(prompt, padding="longest").input_ids}: bos + every token + eos. */
  public int[] encodeUntruncated(String prompt) {
    int[] body = tokenIds(prompt);
    return withSpecials(body, body.length);
  }

  /** Both encodings and the cut text, as diffusers' encode_prompt computes them (tokenizing once). */
  public PromptEncoding encodeForPipeline(String prompt) {
    int[] body = tokenIds(prompt);
    int[] untruncated = withSpecials(body, body.length);
    int[] ids = pad(withSpecials(body, modelMaxLength - 2));
    String cut = null;
    if (untruncated.length >= ids.length && !Arrays.equals(ids, untruncated)) {
      cut = decode(Arrays.copyOfRange(untruncated, modelMaxLength - 1, untruncated.length - 1));
    }
    return new PromptEncoding(ids, untruncated, cut, modelMaxLength);
  }

  private int[] withSpecials(int[] body, int keep) {
    int n = Math.min(body.length, Math.max(keep, 0));
    int[] out = new int[n + 2];
    out[0] = bosId;
    System.arraycopy(body, 0, out, 1, n);
    out[n + 1] = eosId;
    return out;
  }

  private int[] pad(int[] ids) {
    if (ids.length >= modelMaxLength) {
      return ids;
    }
    int[] out = Arrays.copyOf(ids, modelMaxLength);
    Arrays.fill(out, ids.length, modelMaxLength, padId);
    return out;
  }

  /**
   * {@code tokenizer.decode(ids)}: tokens joined, bytes decoded as UTF-8 (invalid bytes become U+FFFD), word ends
   * become spaces, the result stripped; special tokens are kept as text; an added token that is not special
   * (textual inversion) is set apart by spaces. With {@code clean_up_tokenization_spaces}
   * set in tokenizer_config.json, transformers' clean_up_tokenization follows (" ." to ".", " 's" to "'s", ...).
   *
   * @throws TokenizerException for an id that is neither in the vocabulary nor an added token
   */
  public String decode(int[] ids) {
    // PreTrainedTokenizer._decode: an added token that is not special stands as a piece of its own between the
    // decoded runs of the other tokens, and the pieces are joined with single spaces
    List<String> pieces = new ArrayList<>();
    StringBuilder run = new StringBuilder();
    for (int id : ids) {
      AddedToken added = addedTokens.get(id);
      String token = added != null ? added.content() : idToToken.get(id);
      if (token == null) {
        throw new TokenizerException("token id " + id + " is not in the vocabulary (size " + size() + ")");
      }
      if (added != null && !added.special()) {
        if (run.length() > 0) {
          String s = tokensToString(run);
          if (!s.isEmpty()) {
            pieces.add(s);
          }
          run.setLength(0);
        }
        pieces.add(token);
      } else {
        run.append(token);
      }
    }
    if (run.length() > 0) {
      pieces.add(tokensToString(run));
    }
    String text = String.join(" ", pieces);
    return cleanUpSpaces ? cleanUpTokenization(text) : text;
  }

  /** CLIPTokenizer.convert_tokens_to_string. */
  private static String tokensToString(CharSequence joined) {
    return PythonText.strip(ByteLevelBpe.fromByteChars(joined.toString()).replace(ByteLevelBpe.WORD_END, " "));
  }

  /** transformers' PreTrainedTokenizerBase.clean_up_tokenization. */
  static String cleanUpTokenization(String s) {
    return s.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }
}
