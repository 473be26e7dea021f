package io.jdiffusion.nn.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jdiffusion's CLIP text encoder against scripts/t2i/clip_text_ref.py (a port of transformers'
 * CLIPTextModel) on the fixtures scripts/t2i/clip_text_fixtures.py wrote: tiny SD 1.x-like (quick_gelu)
 * and SD 2.x-like (gelu) encoders, outputs as diffusers' encode_prompt takes them (clip_skip none, 1,
 * 2), the same weights as an fp16 variant and as shards; float32 within 1e-4 of the largest value.
 *
 * <p>{@code -Djdiffusion.clip.full=true} adds the full-size SD 1.5 text encoder (123 M parameters,
 * random weights), written with the reference through pytorch26 ({@code -Djdiffusion.pytorch26=PATH},
 * default ../shared/tools/pytorch26) into target/clip-full/ (reused while it exists: delete it after changing
 * the script), or skipped when that tool is absent.
 */
class ClipTextModelTest {
  private static final String FIXTURES = "/io/jdiffusion/t2i/clip/";
  private static final List<String> WARNINGS = new ArrayList<>();

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  static Path fixture(String name) throws Exception {
    return Path.of(ClipTextModelTest.class.getResource(FIXTURES + name).toURI());
  }

  /** max |a - b| / max |b|. */
  static double relative(float[] a, float[] b) {
    assertEquals(b.length, a.length);
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  static Map<String, Safetensors.Entry> io(String name) throws Exception {
    return ForeignSafetensors.read(fixture(name).resolve("io.safetensors")).tensors();
  }

  /** The float32-stored ids of a fixture as an int64 tensor. */
  static Tensor ids(Safetensors.Entry e) {
    long[] v = new long[e.values().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (long) e.values()[i];
    }
    return Torch.longs(v).view(e.shape());
  }

  /** Relative difference of encode(ids, clipSkip) from the reference tensor {@code key}. */
  static double check(ClipTextModel m, Map<String, Safetensors.Entry> io, String idsKey, String key, int clipSkip,
      Precision p) {
    try (PointerScope scope = new PointerScope()) {
      Tensor out = m.encode(ids(io.get(idsKey)), clipSkip, new Forward(p, false));
      assertArrayEquals(io.get(key).shape(), Torch.shape(out));
      return relative(Torch.toFloats(out), io.get(key).values());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd1", "sd2"})
  void encodeMatchesTheReferenceWithAndWithoutClipSkip(String name) throws Exception {
    Map<String, Safetensors.Entry> io = io(name);
    try (ClipTextModel m = ClipTextModel.load(fixture(name), WARNINGS::add)) {
      String[] keys = {"last", "skip1", "skip2"};
      for (int k = 0; k < keys.length; k++) {
        double rel = check(m, io, "ids", keys[k], k, Precision.FP32);
        System.out.printf(Locale.ROOT, "clip %s %s fp32: max |diff| / max |ref| = %.2e%n", name, keys[k], rel);
        assertTrue(rel < 1e-4, name + " " + keys[k] + ": relative difference " + rel);
      }
      double rel = check(m, io, "ids_short", "last_short", 0, Precision.FP32);
      System.out.printf(Locale.ROOT, "clip %s 16 tokens fp32: %.2e%n", name, rel);
      assertTrue(rel < 1e-4, name + " short: relative difference " + rel);
      // the three outputs differ: each comparison above tests its own layer count
      assertTrue(relative(io.get("skip1").values(), io.get("last").values()) > 0.05);
      assertTrue(relative(io.get("skip2").values(), io.get("skip1").values()) > 0.05);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd1", "sd2"})
  void forwardGivesEveryHiddenStateAsTransformersDoes(String name) throws Exception {
    Map<String, Safetensors.Entry> io = io(name);
    try (ClipTextModel m = ClipTextModel.load(fixture(name), WARNINGS::add);
        PointerScope scope = new PointerScope()) {
      ClipTextModel.Output out = m.forward(ids(io.get("ids")), Forward.EVAL_FP32);
      assertEquals(m.config().numHiddenLayers() + 1, out.hiddenStates().size());
      assertTrue(relative(Torch.toFloats(out.lastHiddenState()), io.get("last").values()) < 1e-4);
      // encode's clip_skip is final_layer_norm(hidden_states[-(k + 1)]): the same tensors, not re-derived
      float[] skip2 = Torch.toFloats(m.encode(ids(io.get("ids")), 2, Forward.EVAL_FP32));
      List<Tensor> h = out.hiddenStates();
      assertTrue(relative(skip2, Torch.toFloats(layerNormOf(m, h.get(h.size() - 3)))) < 1e-6);
    }
  }

  private static Tensor layerNormOf(ClipTextModel m, Tensor h) {
    Map<String, Tensor> p = m.parameters();
    return org.bytedeco.pytorch.global.torch.layer_norm(h, new long[] {m.config().hiddenSize()},
        new org.bytedeco.pytorch.TensorOptional(p.get("text_model.final_layer_norm.weight")),
        new org.bytedeco.pytorch.TensorOptional(p.get("text_model.final_layer_norm.bias")), m.config().layerNormEps(),
        false);
  }

  @Test
  void bf16StaysCloseToTheFloat32Reference() throws Exception {
    Map<String, Safetensors.Entry> io = io("sd1");
    try (ClipTextModel m = ClipTextModel.load(fixture("sd1"), WARNINGS::add)) {
      double rel = check(m, io, "ids", "last", 0, Precision.BF16);
      double skip = check(m, io, "ids", "skip2", 2, Precision.BF16);
      System.out.printf(Locale.ROOT, "clip sd1 bf16: last %.2e, clip_skip 2 %.2e%n", rel, skip);
      assertTrue(rel < 3e-2 && skip < 3e-2, "bf16 relative differences " + rel + ", " + skip);
      assertTrue(rel > 1e-5, "bf16 gave float32's numbers: the linear maps did not run in bf16");
    }
  }

  @Test
  void fp16VariantAndShardedFoldersLoadTheSameWeights() throws Exception {
    Map<String, Safetensors.Entry> io = io("sd1");
    for (String folder : new String[] {"sd1_fp16", "sd1_sharded"}) {
      assertTrue(!Files.exists(fixture(folder).resolve("model.safetensors")), folder + " must test its own loader");
      try (ClipTextModel m = ClipTextModel.load(fixture(folder), WARNINGS::add)) {
        double rel = check(m, io, "ids", "last", 0, Precision.FP32);
        System.out.printf(Locale.ROOT, "clip %s: %.2e%n", folder, rel);
        assertTrue(rel < 1e-4, folder + ": relative difference " + rel);
      }
    }
    assertEquals(3, ClipTextWeights.files(fixture("sd1_sharded"), null).size());
    // the shards hold the int64 position_ids buffer that loading skips
    assertTrue(Files.readString(fixture("sd1_sharded").resolve("model.safetensors.index.json"))
        .contains(ClipTextWeights.POSITION_IDS));
    assertEquals(List.of(fixture("sd1_fp16").resolve("model.fp16.safetensors")),
        ClipTextWeights.files(fixture("sd1_fp16"), "fp16"));
    StoreException e = assertThrows(StoreException.class, () -> ClipTextWeights.files(fixture("sd1_fp16"), "bf16"));
    assertTrue(e.getMessage().contains("model.bf16.safetensors"), e.getMessage());
  }

  @Test
  void aBf16VariantIsFoundAndRead(@TempDir Path tmp) throws Exception {
    Files.copy(fixture("sd1").resolve("config.json"), tmp.resolve("config.json"));
    Safetensors.write(tmp.resolve("model.bf16.safetensors"),
        ForeignSafetensors.read(fixture("sd1").resolve("model.safetensors")).tensors(), Map.of("format", "pt"), true);
    assertTrue(Files.readString(tmp.resolve("model.bf16.safetensors"), StandardCharsets.ISO_8859_1).contains("BF16"));
    assertEquals(List.of(tmp.resolve("model.bf16.safetensors")), ClipTextWeights.files(tmp, null));
    try (ClipTextModel m = ClipTextModel.load(tmp, "bf16", WARNINGS::add)) {
      // weights rounded to bfloat16 (8 bits of mantissa): close to the reference, not equal to it
      double rel = check(m, io("sd1"), "ids", "last", 0, Precision.FP32);
      System.out.printf(Locale.ROOT, "clip sd1 bf16 weights: %.2e%n", rel);
      assertTrue(rel < 3e-2 && rel > 1e-5, "bf16 weights: relative difference " + rel);
    }
  }

  @Test
  void configsReadAsTransformersWritesThem() throws Exception {
    ClipTextConfig sd1 = ClipTextConfig.read(fixture("sd1").resolve("config.json"), WARNINGS::add);
    assertEquals(new ClipTextConfig(1000, 32, 37, 5, 4, 77, ClipActivation.QUICK_GELU, 1e-5, 512, 0, 2, 1), sd1);
    assertEquals(ClipActivation.GELU,
        ClipTextConfig.read(fixture("sd2").resolve("config.json"), WARNINGS::add).hiddenAct());
    // CLIPTextConfig's defaults for what a config leaves out
    ClipTextConfig empty = ClipTextConfig.read(Json.mapper().createObjectNode(), "x", WARNINGS::add);
    assertEquals(new ClipTextConfig(49408, 512, 2048, 12, 8, 77, ClipActivation.QUICK_GELU, 1e-5, 512, 49406, 49407, 1),
        empty);
    assertEquals(64, ClipTextConfig.sd15().headDim());
  }

  /** sd1's config with one key changed, beside sd1's weights. */
  private static Path edited(Path dir, String key, Object value) throws Exception {
    ObjectNode c = (ObjectNode) Json.mapper().readTree(Files.readString(fixture("sd1").resolve("config.json")));
    c.set(key, Json.mapper().valueToTree(value));
    Files.writeString(dir.resolve("config.json"), c.toString(), StandardCharsets.UTF_8);
    Files.copy(fixture("sd1").resolve("model.safetensors"), dir.resolve("model.safetensors"));
    return dir;
  }

  @Test
  void configsThatChangeTheNetworkAreRefusedByName(@TempDir Path tmp) throws Exception {
    String[][] cases = {
        {"hidden_act", "\"swiglu\"", "hidden_act \"swiglu\" is not supported"},
        {"architectures", "[\"CLIPTextModelWithProjection\"]", "CLIPTextModelWithProjection"},
        {"model_type", "\"clip\"", "model_type \"clip\""},
        {"use_attention_mask", "true", "use_attention_mask"},
        {"num_attention_heads", "5", "not divisible into 5 attention heads"},
        {"hidden_size", "\"32\"", "hidden_size must be an integer"},
    };
    for (String[] c : cases) {
      Path dir = Files.createDirectory(tmp.resolve(c[0]));
      edited(dir, c[0], Json.mapper().readTree(c[1]));
      StoreException e = assertThrows(StoreException.class, () -> ClipTextModel.load(dir, WARNINGS::add), c[0]);
      assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("config.json"), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
    List<String> warnings = new ArrayList<>();
    Path dir = Files.createDirectory(tmp.resolve("unknown"));
    edited(dir, "rope_theta", 10000);
    ClipTextModel.load(dir, warnings::add).close();
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("rope_theta"), warnings.get(0));
  }

  @Test
  void weightsThatDoNotMatchAreNamed(@TempDir Path tmp) throws Exception {
    Map<String, Safetensors.Entry> w = new LinkedHashMap<>(
        ForeignSafetensors.read(fixture("sd1").resolve("model.safetensors")).tensors());
    Files.copy(fixture("sd1").resolve("config.json"), tmp.resolve("config.json"));
    Safetensors.Entry fc1 = w.remove("text_model.encoder.layers.3.mlp.fc1.weight");
    w.put("text_model.text_projection.weight", new Safetensors.Entry(new long[] {2, 2}, new float[4]));
    Safetensors.write(tmp.resolve("model.safetensors"), w, Map.of("format", "pt"), false);
    StoreException e = assertThrows(StoreException.class, () -> ClipTextModel.load(tmp, WARNINGS::add));
    assertTrue(e.getMessage().contains("missing text_model.encoder.layers.3.mlp.fc1.weight")
        && e.getMessage().contains("unexpected text_model.text_projection.weight"), e.getMessage());

    w.remove("text_model.text_projection.weight");
    w.put("text_model.encoder.layers.3.mlp.fc1.weight", new Safetensors.Entry(new long[] {36, 32}, new float[36 * 32]));
    Safetensors.write(tmp.resolve("model.safetensors"), w, Map.of("format", "pt"), false);
    e = assertThrows(StoreException.class, () -> ClipTextModel.load(tmp, WARNINGS::add));
    assertTrue(e.getMessage().contains("fc1.weight has shape [36, 32], the config gives [37, 32]"), e.getMessage());

    w.put("text_model.encoder.layers.3.mlp.fc1.weight", fc1);
    Safetensors.write(tmp.resolve("model.safetensors"), w, Map.of("format", "pt"), false);
    ClipTextModel.load(tmp, WARNINGS::add).close(); // whole again: loads

    Files.delete(tmp.resolve("model.safetensors"));
    Files.write(tmp.resolve("pytorch_model.bin"), new byte[] {1});
    e = assertThrows(StoreException.class, () -> ClipTextModel.load(tmp, WARNINGS::add));
    assertTrue(e.getMessage().contains("not a zip-format PyTorch file") && e.getMessage().contains("save_file"),
        e.getMessage());
  }

  @Test
  void badIdsAndClipSkipAreRefused() throws Exception {
    try (ClipTextModel m = ClipTextModel.load(fixture("sd1"), WARNINGS::add);
        PointerScope scope = new PointerScope()) {
      int[] long78 = new int[78];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.encode(ClipTextModel.ids(long78), 0, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("78 tokens") && e.getMessage().contains("77"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> m.encode(ClipTextModel.ids(new int[] {0, 1000, 2}), 0, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("token id 1000") && e.getMessage().contains("vocab_size"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> m.encode(ClipTextModel.ids(new int[] {0, 5, 2}), 6, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("clip_skip 6"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> m.encode(Torch.zeros(1, 4), 0, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("must be integers"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> m.encode(ClipTextModel.ids(new int[] {0, 5, 2}).view(3), 0, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("[batch, length]"), e.getMessage());
      // clip_skip = N: the embeddings through the final norm, as hidden_states[0] is
      assertArrayEquals(new long[] {1, 3, 32},
          Torch.shape(m.encode(ClipTextModel.ids(new int[] {0, 5, 2}), 5, Forward.EVAL_FP32)));
    }
  }

  @ParameterizedTest
  @EnumSource(ClipActivation.class)
  void activationsFollowTransformersFormulas(ClipActivation a) {
    double[] xs = {-12, -3, -1.5, -0.3, 0, 0.2, 1, 2.5, 11};
    float[] in = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      in[i] = (float) xs[i];
    }
    try (PointerScope scope = new PointerScope()) {
      float[] got = Torch.toFloats(a.apply(Torch.tensor(in, in.length)));
      for (int i = 0; i < xs.length; i++) {
        double want = closedForm(a, xs[i]);
        assertEquals(want, got[i], 2e-6 * Math.max(1, Math.abs(want)), a + " at " + xs[i]);
      }
    }
    assertEquals(a, ClipActivation.named(a.configName));
  }

  /** transformers' activations.py, in double. */
  private static double closedForm(ClipActivation a, double x) {
    double gelu = 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    double tanhForm = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    return switch (a) {
      case QUICK_GELU -> x / (1 + Math.exp(-1.702 * x));
      case GELU, GELU_PYTHON -> gelu;
      case GELU_NEW, GELU_PYTORCH_TANH -> tanhForm;
      case GELU_FAST -> 0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x)));
      case GELU_10 -> Math.max(-10, Math.min(10, gelu));
      case RELU -> Math.max(0, x);
      case SILU, SWISH -> x / (1 + Math.exp(-x));
      case MISH -> x * Math.tanh(Math.log1p(Math.exp(x)));
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1 / (1 + Math.exp(-x));
      case LINEAR -> x;
    };
  }

  /** erf to 1e-12 by its Taylor series (|x| small) or the continued fraction of erfc. */
  private static double erf(double x) {
    if (Math.abs(x) > 3) {
      double t = 0;
      for (int k = 60; k >= 1; k--) {
        t = k / 2.0 / (Math.abs(x) + t);
      }
      double erfc = Math.exp(-x * x) / Math.sqrt(Math.PI) / (Math.abs(x) + t);
      return Math.signum(x) * (1 - erfc);
    }
    double sum = 0;
    double term = x;
    for (int n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  @Test
  void unknownActivationIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipActivation.named("geglu"));
    assertTrue(e.getMessage().contains("\"geglu\"") && e.getMessage().contains("quick_gelu"), e.getMessage());
  }

  @Test
  @EnabledIfSystemProperty(named = "jdiffusion.clip.full", matches = "true")
  void fullSizeSd15TextEncoderMatchesTheReference() throws Exception {
    Path dir = Path.of("target", "clip-full").toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("io.safetensors"))) {
      Path tool = TestTorch.pytorch26();
      assumeTrue(Files.isExecutable(tool), "no pytorch26 at " + tool + " (set -Djdiffusion.pytorch26=PATH)");
      Files.createDirectories(dir);
      Process p = new ProcessBuilder(tool.toString(), "run", "scripts/t2i/clip_text_fixtures.py", "--full", dir.toString())
          .directory(TestTorch.repoRoot().toFile()).inheritIO().start();
      assertTrue(p.waitFor(20, TimeUnit.MINUTES) && p.exitValue() == 0, "the reference script failed");
    }
    Map<String, Safetensors.Entry> io = ForeignSafetensors.read(dir.resolve("io.safetensors")).tensors();
    long t0 = System.nanoTime();
    try (ClipTextModel m = ClipTextModel.load(dir.resolve("text_encoder"), WARNINGS::add)) {
      long t1 = System.nanoTime();
      assertEquals(123_060_480L, m.parameters().values().stream().mapToLong(Tensor::numel).sum());
      for (Precision prec : Precision.values()) {
        long t2 = System.nanoTime();
        double rel = fullCheck(m, io, "last", 0, prec);
        long t3 = System.nanoTime();
        double skip = fullCheck(m, io, "skip2", 2, prec);
        long t4 = System.nanoTime();
        fullCheck(m, io, "last", 0, prec);
        System.out.printf(Locale.ROOT, "clip full-size SD 1.5 %s: last %.2e, clip_skip 2 %.2e; first encode %.0f ms,"
            + " again %.0f ms (batch 2 x 77 tokens); load %.1f s%n", prec, rel, skip, (t3 - t2) / 1e6,
            (System.nanoTime() - t4) / 1e6, (t1 - t0) / 1e9);
        double tolerance = prec == Precision.FP32 ? 1e-4 : 5e-2;
        assertTrue(rel < tolerance && skip < tolerance, prec + ": relative differences " + rel + ", " + skip);
      }
    }
  }

  private static double fullCheck(ClipTextModel m, Map<String, Safetensors.Entry> io, String key, int clipSkip,
      Precision p) {
    return check(m, io, "ids", key, clipSkip, p);
  }
}
