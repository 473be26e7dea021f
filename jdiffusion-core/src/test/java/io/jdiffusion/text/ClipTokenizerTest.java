package io.jdiffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ClipTokenizer against transformers' slow CLIPTokenizer as scripts/t2i/clip_tokenizer_ref.py restates it (equal
 * to transformers 4.57.6's own class on all these fixtures: scripts/t2i/tokenizer_transformers_check.py), on
 * the fixtures of scripts/t2i/tokenizer_fixtures.py: a 3,000-merge CLIP-format vocabulary trained on the
 * repository's docs, loaded three ways (SD 1.x files, SD 2.x files with pad "!" and added tokens, tokenizer.json
 * only), and 1,400 prompts (punctuation, numbers, apostrophes, accents, CJK, emoji newer than Java 17's Unicode,
 * combining marks, right-to-left text, control characters, whitespace runs, upper case, special-token strings,
 * the empty prompt, over-long prompts, 300 short runs of any assigned character heavy in combining marks for NFC). Every prompt must give the reference's 77 ids, untruncated ids, cut
 * text, diffusers' warning line and decoded text exactly; so must decode() of 400 random id runs, some of
 * which cut a character's UTF-8 bytes.
 */
class ClipTokenizerTest {
  private static JsonNode cases;

  @BeforeAll
  static void readCases() throws Exception {
    try (InputStream in = new GZIPInputStream(resource("cases.json.gz").openStream())) {
      cases = new ObjectMapper().readTree(in);
    }
  }

  static java.net.URL resource(String name) {
    return ClipTokenizerTest.class.getResource("/io/jdiffusion/t2i/tok/" + name);
  }

  static Path folder(String name) throws Exception {
    return Path.of(resource(name).toURI());
  }

  static int[] ints(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asInt();
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd1", "sd2", "json"})
  void everyFixturePromptEqualsTheReference(String name) throws Exception {
    ClipTokenizer tok = ClipTokenizer.load(folder(name));
    JsonNode list = cases.path("folders").path(name);
    assertTrue(list.size() >= (name.equals("sd1") ? 1000 : 300), "fixture has " + list.size() + " prompts");
    List<String> failures = new ArrayList<>();
    int truncated = 0;
    for (JsonNode c : list) {
      String prompt = c.get("prompt").asText();
      PromptEncoding e = tok.encodeForPipeline(prompt);
      String cut = c.get("cut").isNull() ? null : c.get("cut").asText();
      String warning = c.get("warning").isNull() ? null : c.get("warning").asText();
      String decoded = tok.decode(ints(c.get("untruncated")));
      List<String> bad = new ArrayList<>();
      if (!java.util.Arrays.equals(ints(c.get("ids")), e.ids())) {
        bad.add("ids");
      }
      if (!java.util.Arrays.equals(ints(c.get("untruncated")), e.untruncated())) {
        bad.add("untruncated");
      }
      if (!java.util.Arrays.equals(ints(c.get("ids")), tok.encode(prompt))) {
        bad.add("encode");
      }
      if (!java.util.Objects.equals(cut, e.truncatedText())) {
        bad.add("cut " + cut + " vs " + e.truncatedText());
      }
      if (!java.util.Objects.equals(warning, e.warning().orElse(null))) {
        bad.add("warning");
      }
      if (!decoded.equals(c.get("decode").asText())) {
        bad.add("decode '" + c.get("decode").asText() + "' vs '" + decoded + "'");
      }
      if (!bad.isEmpty() && failures.size() < 10) {
        failures.add(escape(prompt) + ": " + bad + " tokens " + tok.tokenize(prompt));
      } else if (!bad.isEmpty()) {
        failures.add("...");
      }
      truncated += cut != null ? 1 : 0;
      assertEquals(tok.modelMaxLength(), e.ids().length);
    }
    assertTrue(truncated >= 20, "only " + truncated + " over-long prompts");
    assertEquals(List.of(), failures.subList(0, Math.min(failures.size(), 10)),
        failures.size() + " of " + list.size() + " prompts differ");
  }

  @Test
  void decodeOfArbitraryIdRunsEqualsTheReference() throws Exception {
    ClipTokenizer tok = ClipTokenizer.load(folder("sd1"));
    JsonNode runs = cases.get("decodes");
    assertTrue(runs.size() >= 400);
    int replaced = 0;
    for (JsonNode r : runs) {
      String want = r.get("text").asText();
      assertEquals(want, tok.decode(ints(r.get("ids"))), r.get("ids").toString());
      replaced += want.indexOf('\uFFFD') >= 0 ? 1 : 0;
    }
    assertTrue(replaced >= 20, "only " + replaced + " runs cut a character");
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u{%x}", c) : String.valueOf((char) c)));
    return b.toString();
  }

  @Test
  void pipelineShapesAndSpecialIds() throws Exception {
    ClipTokenizer sd1 = ClipTokenizer.load(folder("sd1"));
    int vocab = cases.get("vocab").asInt();
    assertEquals(vocab - 2, sd1.bosId());
    assertEquals(vocab - 1, sd1.eosId());
    assertEquals(vocab - 1, sd1.padId());
    int[] empty = sd1.encode("");
    assertEquals(77, empty.length);
    assertEquals(sd1.bosId(), empty[0]);
    assertEquals(sd1.eosId(), empty[1]);
    ClipTokenizer sd2 = ClipTokenizer.load(folder("sd2"));
    assertEquals(0, sd2.padId());
    assertEquals(vocab + 3, sd2.size()); // <cat-toy>, <sks>, <sw>
    // "!" is SD 2.x's pad token, so a prompt's "!" is cut out whole, and so are the added tokens
    assertEquals(List.of("a</w>", "!", "!", "<cat-toy>", "b</w>"), sd2.tokenize("A!! <cat-toy> b"));
    assertEquals(List.of("a</w>", "!", "!</w>", "b</w>"), sd1.tokenize("A!! b"));
    PromptEncoding longOne = sd1.encodeForPipeline("cat ".repeat(100));
    assertTrue(longOne.truncated());
    assertEquals(102, longOne.untruncated().length);
    assertEquals("The following part of your input was truncated because CLIP can only handle sequences up to 77"
        + " tokens: ['" + "cat ".repeat(24) + "cat']", longOne.warning().orElseThrow());
  }

  @Test
  void characterPropertiesArePythons() {
    PythonUnicode u = PythonUnicode.get();
    // U+1FAE0 (melting face, Unicode 14): unassigned for Java 17, a symbol for Python 3.13 and kept in prompts
    assertEquals(Character.UNASSIGNED, Character.getType(0x1FAE0));
    assertEquals("So", u.category(0x1FAE0));
    assertTrue(u.has(0x1FAE0, PythonUnicode.RE_OTHER));
    assertEquals("Lo", u.category(0x4E00));
    assertTrue(u.has(0x4E00, PythonUnicode.RE_LETTER));
    assertTrue(u.has('7', PythonUnicode.RE_NUMBER));
    assertTrue(u.matchesIgnoreCase('s', 0x17F)); // long s matches 's under IGNORECASE
    assertEquals("i\u0307", u.lower("\u0130"));
    assertEquals("\u03c3\u03b1\u03c2 \u03c3", u.lower("\u03a3\u0391\u03a3 \u03a3"));
  }

  @Test
  void nfcIsPythons() {
    assertEquals("\u00e1", PythonNfc.nfc("a\u0301"));
    assertEquals("\uac01", PythonNfc.nfc("\u1100\u1161\u11a8")); // Hangul L V T
    assertEquals("\u0915\u093c", PythonNfc.nfc("\u0958")); // composition exclusion stays decomposed
    assertEquals("\u1e69", PythonNfc.nfc("s\u0323\u0307")); // s, dot below, dot above
    assertEquals("\u1e69", PythonNfc.nfc("s\u0307\u0323")); // reordered first
    // U+1DFA (Unicode 14, class 218 for Python, unknown to Java 17) sorts after U+0F39 (class 216)
    assertEquals("a\u0f39\u1dfa", PythonNfc.nfc("a\u1dfa\u0f39"));
    assertEquals("", PythonNfc.nfc(""));
  }

  @Test
  void pythonStringHelpers() {
    // CPython: b'\xe2\x82'.decode('utf-8', 'replace') == '\ufffd'; b'\xe2\x82a' -> '\ufffda'; b'\xf0\x28' -> '\ufffd('
    assertEquals("\uFFFD", PythonText.decodeUtf8(new byte[] {(byte) 0xE2, (byte) 0x82}, 2));
    assertEquals("\uFFFDa", PythonText.decodeUtf8(new byte[] {(byte) 0xE2, (byte) 0x82, 'a'}, 3));
    assertEquals("\uFFFD(", PythonText.decodeUtf8(new byte[] {(byte) 0xF0, '('}, 2));
    assertEquals("\uFFFD\uFFFD", PythonText.decodeUtf8(new byte[] {(byte) 0xED, (byte) 0xA0}, 2));
    assertEquals("\"it's\"", PythonText.repr("it's"));
    assertEquals("'a\\'b\"\\\\\\n\\x00\\x85\\u200b\\U000e0001é'", PythonText.repr("a'b\"\\\n\0\u0085\u200b\uDB40\uDC01é"));
    assertEquals(List.of("a", "b"), PythonText.split("\u00a0a\u2028b\u3000"));
    assertEquals("x", PythonText.strip("\u001c x\u0085"));
  }

  @Test
  void refusesFoldersWithoutTheirFiles(@TempDir Path dir) throws Exception {
    assertMessage(dir.resolve("absent"), "not a folder");
    assertMessage(dir, "no vocab.json + merges.txt and no tokenizer.json");
    Files.writeString(dir.resolve("vocab.json"), "{}");
    assertMessage(dir, "no vocab.json + merges.txt");
  }

  @Test
  void refusesMalformedFiles(@TempDir Path tmp) throws Exception {
    Path sd1 = folder("sd1");
    Path d = copy(sd1, tmp.resolve("a"));
    Files.writeString(d.resolve("vocab.json"), "{\"a\": 1,");
    assertMessage(d, "vocab.json: unreadable JSON");
    d = copy(sd1, tmp.resolve("b"));
    Files.writeString(d.resolve("vocab.json"), "{\"a\": \"one\"}");
    assertMessage(d, "id of a must be a non-negative integer id");
    d = copy(sd1, tmp.resolve("c"));
    Files.writeString(d.resolve("merges.txt"), "#version: 0.2\ns t\na b c\n");
    assertMessage(d, "merges.txt: line 3 is not a merge of two symbols");
    d = copy(sd1, tmp.resolve("d"));
    Files.writeString(d.resolve("tokenizer_config.json"), "{\"truncation_side\": \"left\"}");
    assertMessage(d, "truncation_side \"left\" is not supported");
    d = copy(sd1, tmp.resolve("e"));
    Files.writeString(d.resolve("special_tokens_map.json"), "{\"pad_token\": \"<|pad|>\"}");
    assertMessage(d, "special token <|pad|> is neither in the vocabulary nor an added token");
    d = copy(sd1, tmp.resolve("f"));
    Files.writeString(d.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"T5Tokenizer\"}");
    assertMessage(d, "tokenizer_class T5Tokenizer is not CLIPTokenizer");
    d = copy(sd1, tmp.resolve("g"));
    Files.writeString(d.resolve("tokenizer_config.json"), "{\"model_max_length\": \"77\"}");
    assertMessage(d, "model_max_length must be an integer");
    Path j = tmp.resolve("h");
    Files.createDirectories(j);
    Files.writeString(j.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
    assertMessage(j, "model.type is Unigram");
    Files.writeString(j.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}, \"merges\": [\"a\"]}}");
    assertMessage(j, "model.merges: entry 0 is not a merge of two symbols");
    d = copy(sd1, tmp.resolve("i"));
    Files.writeString(d.resolve("vocab.json"), "{\"a\": 1, \"b\": 1}");
    assertMessage(d, "id 1 is given to both a and b");
    d = copy(sd1, tmp.resolve("k"));
    Files.writeString(d.resolve("special_tokens_map.json"), "{\"additional_special_tokens\": [\"<x>\"]}");
    assertMessage(d, "additional_special_tokens is not supported");
    d = copy(folder("sd2"), tmp.resolve("l"));
    ObjectMapper om = new ObjectMapper();
    JsonNode config = om.readTree(d.resolve("tokenizer_config.json").toFile());
    JsonNode decoder = config.get("added_tokens_decoder");
    for (JsonNode t : decoder) {
      if (t.get("content").asText().equals("<cat-toy>")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) t).put("special", true);
      }
    }
    om.writeValue(d.resolve("tokenizer_config.json").toFile(), config);
    assertMessage(d, "special added token <cat-toy> is not the bos, eos, unk or pad token");
    ClipTokenizer tok = ClipTokenizer.load(sd1);
    TokenizerException e = assertThrows(TokenizerException.class, () -> tok.decode(new int[] {1 << 20}));
    assertTrue(e.getMessage().contains("token id 1048576 is not in the vocabulary"), e.getMessage());
  }

  @Test
  void tokenizerJsonWithStringMergesEqualsTheVocabFiles(@TempDir Path tmp) throws Exception {
    // tokenizers writes merges as "a b" strings (older files) or as pairs (the fixture's json/ folder)
    ObjectMapper om = new ObjectMapper();
    JsonNode tj = om.readTree(folder("json").resolve("tokenizer.json").toFile());
    var merges = om.createArrayNode();
    tj.path("model").path("merges").forEach(m -> merges.add(m.get(0).asText() + " " + m.get(1).asText()));
    ((com.fasterxml.jackson.databind.node.ObjectNode) tj.path("model")).set("merges", merges);
    om.writeValue(tmp.resolve("tokenizer.json").toFile(), tj);
    ClipTokenizer fromStrings = ClipTokenizer.load(tmp);
    ClipTokenizer sd1 = ClipTokenizer.load(folder("sd1"));
    for (JsonNode c : cases.path("folders").path("sd1")) {
      String p = c.get("prompt").asText();
      assertArrayEquals(sd1.encodeUntruncated(p), fromStrings.encodeUntruncated(p), escape(p));
    }
  }

  static Path copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  static void assertMessage(Path dir, String part) {
    TokenizerException e = assertThrows(TokenizerException.class, () -> ClipTokenizer.load(dir));
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertFalse(e.getMessage().isBlank());
    assertArrayEquals(new byte[0], new byte[0]);
    assertTrue(StandardCharsets.UTF_8.newEncoder().canEncode(e.getMessage()));
  }
}
