package io.jdiffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a diffusers pipeline's {@code tokenizer/} folder as transformers' {@code CLIPTokenizer.from_pretrained}
 * does for the slow tokenizer:
 * <ul>
 *   <li>{@code vocab.json} (token -> id) and {@code merges.txt} (a header line, then one "first second" pair per
 *       line, at most 48,894 read, as CLIPTokenizer reads them); when either is absent, {@code tokenizer.json}'s
 *       {@code model.vocab} / {@code model.merges} (strings "a b" or pairs) and its {@code added_tokens};</li>
 *   <li>{@code tokenizer_config.json}: bos / eos / unk / pad tokens (a string or an AddedToken object),
 *       {@code model_max_length} (77 when absent), {@code added_tokens_decoder},
 *       {@code clean_up_tokenization_spaces} (false when absent, transformers' current default);</li>
 *   <li>{@code special_tokens_map.json}, whose special tokens replace the config's;
 *       {@code added_tokens.json} (legacy textual-inversion tokens: content -> id).</li>
 * </ul>
 * Every special token is an added token too (transformers' slow PreTrainedTokenizer from 4.34 to 4.57.6): it keeps
 * its vocabulary id and is cut out of prompts whole, so the SD 2.x pad token "!" in a prompt becomes id 0 rather
 * than a BPE word. Settings that this port does not implement (truncation or padding on the left, errors other than
 * "replace", split_special_tokens, additional / extra special tokens, another tokenizer class, a tokenizer.json BPE
 * with another word-end suffix or a subword prefix) are refused, as are special tokens that are in neither the
 * vocabulary nor the added tokens. Other unknown keys are logged and ignored, as transformers ignores them.
 */
final class ClipTokenizerFolder {
  private static final Logger LOG = LoggerFactory.getLogger(ClipTokenizerFolder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** CLIPTokenizer reads merges.txt lines [1 : 49152 - 256 - 2 + 1]. */
  static final int MAX_MERGES = 49152 - 256 - 2;
  private static final Set<String> KNOWN_CONFIG_KEYS = Set.of(
      "add_prefix_space", "added_tokens_decoder", "additional_special_tokens", "bos_token", "clean_up_tokenization_spaces",
      "do_lower_case", "eos_token", "errors", "extra_special_tokens", "model_input_names", "model_max_length",
      "name_or_path", "pad_token", "padding_side", "special_tokens_map_file", "split_special_tokens",
      "tokenizer_class", "tokenizer_file", "truncation_side", "unk_token", "auto_map", "backend");

  private ClipTokenizerFolder() {}

  /** The BPE model: vocabulary, merges best first, and the added tokens a tokenizer.json carries. */
  private record Model(Map<String, Integer> vocab, List<String[]> merges, Map<Integer, AddedToken> added) {}

  static ClipTokenizer read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TokenizerException(dir + ": not a folder");
    }
    Model model = model(dir);
    Path configFile = dir.resolve("tokenizer_config.json");
    JsonNode config = Files.isRegularFile(configFile) ? json(configFile) : JSON.createObjectNode();
    String cf = configFile.toString();
    if (!config.isObject()) {
      throw new TokenizerException(cf + ": not a JSON object");
    }
    checkSettings(config, cf);
    int maxLength = maxLength(config, cf);
    boolean cleanUp = cleanUp(config, cf);
    Map<String, String> special = specialTokens(dir, config, cf);

    Map<Integer, AddedToken> added = new LinkedHashMap<>(model.added());
    addedTokensDecoder(config, cf, added);
    addedTokensJson(dir.resolve("added_tokens.json"), special, added);
    Map<String, Integer> addedIds = addedIds(dir, model.vocab(), added, special);
    Integer unk = model.vocab().get(special.get("unk_token"));
    if (unk == null) {
      throw new TokenizerException(dir + ": the unknown token " + special.get("unk_token") + " is not in the vocabulary");
    }
    Map<Integer, String> idToToken = new HashMap<>();
    model.vocab().forEach((t, id) -> idToToken.put(id, t));
    return new ClipTokenizer(model.vocab(), idToToken, new ByteLevelBpe(model.merges()), addedIds, added,
        addedIds.get(special.get("bos_token")), addedIds.get(special.get("eos_token")),
        addedIds.get(special.get("pad_token")), unk, maxLength, cleanUp);
  }

  /** vocab.json + merges.txt, or else tokenizer.json's BPE model and added tokens. */
  private static Model model(Path dir) {
    Path vocabFile = dir.resolve("vocab.json");
    Path mergesFile = dir.resolve("merges.txt");
    Path jsonFile = dir.resolve("tokenizer.json");
    if (Files.isRegularFile(vocabFile) && Files.isRegularFile(mergesFile)) {
      return new Model(vocab(json(vocabFile), vocabFile.toString()), mergesTxt(mergesFile), Map.of());
    }
    if (!Files.isRegularFile(jsonFile)) {
      throw new TokenizerException(dir + ": no vocab.json + merges.txt and no tokenizer.json (not a CLIP tokenizer folder)");
    }
    JsonNode tj = json(jsonFile);
    JsonNode model = tj.path("model");
    if (!model.isObject()) {
      throw new TokenizerException(jsonFile + ": no model object");
    }
    String type = model.path("type").asText("BPE");
    if (!type.equals("BPE")) {
      throw new TokenizerException(jsonFile + ": model.type is " + type + ", CLIP's tokenizer is BPE");
    }
    if (!model.path("end_of_word_suffix").asText("</w>").equals("</w>")
        || !model.path("continuing_subword_prefix").asText("").isEmpty()) {
      throw new TokenizerException(jsonFile + ": a BPE with end_of_word_suffix " + model.get("end_of_word_suffix")
          + " and continuing_subword_prefix " + model.get("continuing_subword_prefix") + " is not CLIP's");
    }
    Map<String, Integer> vocab = vocab(model.get("vocab"), jsonFile + ": model.vocab");
    List<String[]> merges = mergesJson(model.get("merges"), jsonFile + ": model.merges");
    JsonNode list = tj.path("added_tokens");
    if (!list.isMissingNode() && !list.isArray()) {
      throw new TokenizerException(jsonFile + ": added_tokens must be a list");
    }
    Map<Integer, AddedToken> added = new LinkedHashMap<>();
    for (JsonNode t : list) {
      added.put(index(t.get("id"), jsonFile + ": added_tokens id"), addedToken(t, jsonFile + ": added_tokens"));
    }
    return new Model(vocab, merges, added);
  }

  /** Refuses the settings this port does not implement; logs keys it does not know. */
  private static void checkSettings(JsonNode config, String cf) {
    for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KNOWN_CONFIG_KEYS.contains(key)) {
        LOG.warn("{}: ignoring unknown key {}", cf, key);
      }
    }
    only(config, "errors", "replace", cf);
    only(config, "truncation_side", "right", cf);
    only(config, "padding_side", "right", cf);
    if (config.path("split_special_tokens").asBoolean(false)) {
      throw new TokenizerException(cf + ": split_special_tokens true is not supported");
    }
    String cls = config.path("tokenizer_class").asText("CLIPTokenizer");
    if (!cls.equals("CLIPTokenizer") && !cls.equals("CLIPTokenizerFast")) {
      throw new TokenizerException(cf + ": tokenizer_class " + cls + " is not CLIPTokenizer");
    }
  }

  private static int maxLength(JsonNode config, String cf) {
    JsonNode n = config.get("model_max_length");
    if (n == null || n.isNull()) {
      return 77;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 2) {
      throw new TokenizerException(cf + ": model_max_length must be an integer >= 2, got " + n);
    }
    return n.asInt();
  }

  private static boolean cleanUp(JsonNode config, String cf) {
    JsonNode n = config.get("clean_up_tokenization_spaces");
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw new TokenizerException(cf + ": clean_up_tokenization_spaces must be true or false, got " + n);
    }
    return n.asBoolean();
  }

  /** bos / eos / unk / pad: CLIP's defaults, then tokenizer_config.json, then special_tokens_map.json. */
  private static Map<String, String> specialTokens(Path dir, JsonNode config, String cf) {
    Map<String, String> special = new LinkedHashMap<>();
    special.put("bos_token", "<|startoftext|>");
    special.put("eos_token", "<|endoftext|>");
    special.put("unk_token", "<|endoftext|>");
    special.put("pad_token", "<|endoftext|>");
    readSpecials(config, special, cf);
    Path mapFile = dir.resolve("special_tokens_map.json");
    if (Files.isRegularFile(mapFile)) {
      JsonNode map = json(mapFile);
      if (!map.isObject()) {
        throw new TokenizerException(mapFile + ": not a JSON object");
      }
      readSpecials(map, special, mapFile.toString());
    }
    return special;
  }

  private static void addedTokensDecoder(JsonNode config, String cf, Map<Integer, AddedToken> added) {
    JsonNode decoder = config.path("added_tokens_decoder");
    if (!decoder.isMissingNode() && !decoder.isObject()) {
      throw new TokenizerException(cf + ": added_tokens_decoder must be an object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id;
      try {
        id = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        throw new TokenizerException(cf + ": added_tokens_decoder key " + e.getKey() + " is not an id");
      }
      added.put(id, addedToken(e.getValue(), cf + ": added_tokens_decoder " + id));
    }
  }

  /** The legacy added_tokens.json: content -> id, no stripping rules. */
  private static void addedTokensJson(Path file, Map<String, String> special, Map<Integer, AddedToken> added) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    JsonNode a = json(file);
    if (!a.isObject()) {
      throw new TokenizerException(file + ": not a JSON object of token -> id");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id = index(e.getValue(), file + ": " + e.getKey());
      added.put(id, new AddedToken(e.getKey(), false, false, false, special.containsValue(e.getKey())));
    }
  }

  /**
   * Content -> id of every added token, the special tokens included: PreTrainedTokenizer.__init__ adds each special
   * token not added yet at its vocabulary id.
   */
  private static Map<String, Integer> addedIds(Path dir, Map<String, Integer> vocab, Map<Integer, AddedToken> added,
      Map<String, String> special) {
    Map<String, Integer> addedIds = new HashMap<>();
    for (Map.Entry<Integer, AddedToken> e : added.entrySet()) {
      AddedToken t = e.getValue();
      if (t.special() && !special.containsValue(t.content())) {
        // transformers makes it an additional special token, read differently by its versions' decoders
        throw new TokenizerException(dir + ": special added token " + t.content()
            + " is not the bos, eos, unk or pad token, which this CLIP tokenizer port does not support");
      }
      if (!t.special() && special.containsValue(t.content())) {
        e.setValue(new AddedToken(t.content(), t.lstrip(), t.rstrip(), t.singleWord(), true));
      }
      addedIds.put(t.content(), e.getKey());
    }
    for (String content : special.values()) {
      if (addedIds.containsKey(content)) {
        continue;
      }
      Integer id = vocab.get(content);
      if (id == null) {
        throw new TokenizerException(dir + ": special token " + content + " is neither in the vocabulary nor an added token");
      }
      added.put(id, new AddedToken(content, false, false, false, true));
      addedIds.put(content, id);
    }
    return addedIds;
  }

  private static void readSpecials(JsonNode node, Map<String, String> special, String file) {
    for (String key : List.copyOf(special.keySet())) {
      JsonNode v = node.get(key);
      if (v != null && !v.isNull()) {
        special.put(key, content(v, file + ": " + key));
      }
    }
    for (String key : List.of("additional_special_tokens", "extra_special_tokens")) {
      JsonNode more = node.get(key);
      if (more != null && !more.isNull() && !more.isEmpty()) {
        // transformers 4 and 5 name and read these differently; no Stable Diffusion tokenizer has any
        throw new TokenizerException(file + ": " + key + " is not supported by this CLIP tokenizer port");
      }
    }
  }

  private static String content(JsonNode v, String where) {
    JsonNode c = v.isObject() ? v.get("content") : v;
    if (c == null || !c.isTextual() || c.asText().isEmpty()) {
      throw new TokenizerException(where + " must be a token string or an object with its content, got " + v);
    }
    return c.asText();
  }

  private static AddedToken addedToken(JsonNode t, String where) {
    if (t == null || !t.isObject()) {
      throw new TokenizerException(where + ": an added token must be an object, got " + t);
    }
    return new AddedToken(content(t, where), flag(t, "lstrip", where), flag(t, "rstrip", where),
        flag(t, "single_word", where), flag(t, "special", where));
  }

  private static boolean flag(JsonNode t, String key, String where) {
    JsonNode v = t.get(key);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new TokenizerException(where + ": " + key + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  private static void only(JsonNode config, String key, String allowed, String file) {
    JsonNode v = config.get(key);
    if (v != null && !v.isNull() && !v.asText().equals(allowed)) {
      throw new TokenizerException(file + ": " + key + " " + v + " is not supported (only \"" + allowed + "\")");
    }
  }

  private static int index(JsonNode v, String where) {
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
      throw new TokenizerException(where + " must be a non-negative integer id, got " + v);
    }
    return v.asInt();
  }

  private static Map<String, Integer> vocab(JsonNode v, String where) {
    if (v == null || !v.isObject() || v.isEmpty()) {
      throw new TokenizerException(where + ": the vocabulary must be a non-empty JSON object of token -> id");
    }
    Map<String, Integer> out = new HashMap<>(v.size() * 2);
    Map<Integer, String> seen = new HashMap<>(v.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id = index(e.getValue(), where + ": id of " + e.getKey());
      String other = seen.put(id, e.getKey());
      if (other != null) {
        throw new TokenizerException(where + ": id " + id + " is given to both " + other + " and " + e.getKey());
      }
      out.put(e.getKey(), id);
    }
    return out;
  }

  private static List<String[]> mergesTxt(Path file) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new TokenizerException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new TokenizerException(file + ": unreadable (" + e.getMessage() + ")");
    }
    // Python's text mode reads \r\n and \r as \n; then .strip().split("\n")[1 : MAX_MERGES + 1]
    String[] lines = PythonText.strip(text.replace("\r\n", "\n").replace('\r', '\n')).split("\n", -1);
    if (lines.length > 0 && !lines[0].startsWith("#")) {
      LOG.warn("{}: first line '{}' is not a #version header; it is skipped as CLIPTokenizer skips it", file, lines[0]);
    }
    List<String[]> merges = new ArrayList<>();
    for (int i = 1; i < lines.length && merges.size() < MAX_MERGES; i++) {
      List<String> parts = PythonText.split(lines[i]);
      if (parts.size() != 2) {
        throw new TokenizerException(file + ": line " + (i + 1) + " is not a merge of two symbols: '" + lines[i] + "'");
      }
      merges.add(parts.toArray(new String[0]));
    }
    return merges;
  }

  private static List<String[]> mergesJson(JsonNode m, String where) {
    if (m == null || !m.isArray()) {
      throw new TokenizerException(where + " must be a list");
    }
    List<String[]> merges = new ArrayList<>();
    for (JsonNode e : m) {
      if (merges.size() == MAX_MERGES) {
        break;
      }
      List<String> parts = new ArrayList<>();
      if (e.isTextual()) {
        parts = PythonText.split(e.asText());
      } else if (e.isArray()) {
        for (JsonNode p : e) {
          parts.add(p.isTextual() ? p.asText() : "");
        }
      }
      if (parts.size() != 2 || parts.get(0).isEmpty() || parts.get(1).isEmpty()) {
        throw new TokenizerException(where + ": entry " + merges.size() + " is not a merge of two symbols: " + e);
      }
      merges.add(parts.toArray(new String[0]));
    }
    return merges;
  }

  private static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new TokenizerException(file + ": unreadable JSON (" + msg + ")");
    }
  }
}
