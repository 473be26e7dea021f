package io.jdiffusion.nn.conditional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.interop.UNet2DConditionFolder;
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
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link UNet2DCondition} against diffusers' own {@code UNet2DConditionModel}: tiny random models in the
 * SD 1.x, SD 2.x, inpainting, BK-SDM and only_cross_attention layouts, saved by diffusers with its
 * outputs on fixed inputs (scripts/t2i/unet_cond_fixtures.py, under
 * src/test/resources/io/jdiffusion/t2i/unet/), loaded through {@link UNet2DConditionFolder}; and the
 * refusals of configs and inputs it does not compute.
 *
 * <p>Opt-in: {@code -Djdiffusion.t2i.full=true} builds diffusers' full-size SD 1.5 UNet at random weights
 * with pytorch26 (in target/t2i-full-sd15, kept for reruns) and compares one 64x64 forward.
 */
class UNet2DConditionTest {
  /** fp32 parity bound: max |jdiffusion - diffusers| / max |diffusers|. */
  private static final double FP32_BOUND = 1e-4;
  /** bf16 activations (fp32 weights, norms and attention) against diffusers' fp32 output. */
  private static final double BF16_BOUND = 5e-2;

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static Path fixture(String name) throws Exception {
    return Path.of(UNet2DConditionTest.class.getResource("/io/jdiffusion/t2i/unet/" + name).toURI());
  }

  /** Relative error of jdiffusion's forward on the case's inputs, and the output shape check. */
  private static double relativeError(UNet2DCondition net, Path io, Precision precision) {
    var t = ForeignSafetensors.read(io).tensors();
    float[] ts = t.get("timestep").values();
    double[] timesteps = new double[ts.length];
    for (int i = 0; i < ts.length; i++) {
      timesteps[i] = ts[i];
    }
    float[] expected = t.get("out").values();
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Tensor sample = Torch.tensor(t.get("sample").values(), t.get("sample").shape());
      Tensor context = Torch.tensor(t.get("encoder_hidden_states").values(), t.get("encoder_hidden_states").shape());
      Tensor out = net.forward(sample, timesteps, context, new Forward(precision, false));
      assertArrayEquals(t.get("out").shape(), Torch.shape(out));
      float[] got = Torch.toFloats(out);
      double max = 0;
      for (float v : expected) {
        max = Math.max(max, Math.abs(v));
      }
      return TestTorch.maxAbsDiff(got, expected) / max;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd1", "sd2", "inpaint", "bksdm", "onlycross"})
  void equalsDiffusersForward(String name) throws Exception {
    Path dir = fixture(name);
    List<String> warnings = new ArrayList<>();
    try (UNet2DCondition net = UNet2DConditionFolder.load(dir.resolve("unet"), warnings::add)) {
      assertEquals(List.of(), warnings);
      double fp32 = relativeError(net, dir.resolve("io.safetensors"), Precision.FP32);
      double bf16 = relativeError(net, dir.resolve("io.safetensors"), Precision.BF16);
      System.out.printf(Locale.ROOT, "UNet2DCondition %s (%d parameters): fp32 relative error %.2e, bf16 %.2e%n", name,
          net.parameterCount(), fp32, bf16);
      assertTrue(fp32 < FP32_BOUND, name + ": fp32 relative error " + fp32);
      assertTrue(bf16 < BF16_BOUND, name + ": bf16 relative error " + bf16);
      assertTrue(bf16 > fp32, name + ": bf16 ran in bf16");
    }
  }

  @Test
  void oneTimestepServesTheBatch() throws Exception {
    try (UNet2DCondition net = UNet2DConditionFolder.load(fixture("sd1").resolve("unet"), w -> { });
        PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      torch.manual_seed(3);
      Tensor x = Torch.randn(2, 4, 8, 8);
      Tensor c = Torch.randn(2, 77, 16);
      float[] one = Torch.toFloats(net.forward(x, new double[] {321}, c, Forward.EVAL_FP32));
      float[] both = Torch.toFloats(net.forward(x, new double[] {321, 321}, c, Forward.EVAL_FP32));
      float[] other = Torch.toFloats(net.forward(x, new double[] {321, 20}, c, Forward.EVAL_FP32));
      assertArrayEquals(both, one);
      assertFalse(TestTorch.maxAbsDiff(both, other) == 0, "the timestep reaches the output");
    }
  }

  @Test
  void refusesInputsOfTheWrongShape() throws Exception {
    try (UNet2DCondition net = UNet2DConditionFolder.load(fixture("sd1").resolve("unet"), w -> { });
        PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Tensor ok = Torch.zeros(2, 4, 8, 8);
      Tensor text = Torch.zeros(2, 77, 16);
      var e = assertThrows(IllegalArgumentException.class,
          () -> net.forward(Torch.zeros(2, 9, 8, 8), new double[] {1, 2}, text, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("sample has shape [2, 9, 8, 8]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> net.forward(ok, new double[] {1, 2}, Torch.zeros(2, 77, 768), Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("encoder_hidden_states has shape [2, 77, 768]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> net.forward(ok, new double[] {1, 2, 3}, text, Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("3 timesteps for a batch of 2"), e.getMessage());
    }
  }

  /** A copy of the sd1 unet folder with {@code key} set to {@code value} (JSON text) in config.json. */
  private static Path withConfig(Path tmp, String key, String value) throws Exception {
    Path src = fixture("sd1").resolve("unet");
    Path dir = Files.createDirectories(tmp.resolve(key + "-" + Integer.toHexString(value.hashCode())));
    ObjectNode c = (ObjectNode) Json.mapper().readTree(Files.readString(src.resolve("config.json")));
    c.set(key, Json.mapper().readTree(value));
    Files.writeString(dir.resolve("config.json"), c.toString(), StandardCharsets.UTF_8);
    Files.copy(src.resolve("diffusion_pytorch_model.fp16.safetensors"), dir.resolve("diffusion_pytorch_model.fp16.safetensors"));
    return dir;
  }

  @Test
  void refusesConfigsThatBuildAnotherNetworkNamingTheKey(@TempDir Path tmp) throws Exception {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("class_embed_type", "\"timestep\"");
    refused.put("num_class_embeds", "10");
    refused.put("addition_embed_type", "\"text_time\"");
    refused.put("encoder_hid_dim", "32");
    refused.put("dual_cross_attention", "true");
    refused.put("resnet_time_scale_shift", "\"scale_shift\"");
    refused.put("conv_in_kernel", "5");
    refused.put("time_embedding_type", "\"fourier\"");
    refused.put("time_cond_proj_dim", "256");
    refused.put("num_attention_heads", "8");
    refused.put("class_embeddings_concat", "true");
    refused.put("attention_type", "\"gated\"");
    refused.put("act_fn", "\"gelu\"");
    refused.put("mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\"");
    refused.put("down_block_types", "[\"SimpleCrossAttnDownBlock2D\", \"DownBlock2D\"]");
    refused.put("cross_attention_dim", "[16, 32]");
    refused.put("layers_per_block", "[1, 2, 3]");
    refused.put("norm_num_groups", "null");
    refused.put("attention_head_dim", "null");
    refused.put("transformer_layers_per_block", "[[1, 2], [1, 2]]");
    refused.put("only_cross_attention", "[true]");
    for (var e : refused.entrySet()) {
      Path dir = withConfig(tmp, e.getKey(), e.getValue());
      var ex = assertThrows(StoreException.class, () -> UNet2DConditionFolder.load(dir, w -> { }), e.getKey());
      assertTrue(ex.getMessage().contains(e.getKey()), e.getKey() + ": " + ex.getMessage());
      assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
    }
  }

  @Test
  void acceptsInformationalKeysAndWarnsAboutUnknownOnes(@TempDir Path tmp) throws Exception {
    List<String> warnings = new ArrayList<>();
    try (UNet2DCondition net = UNet2DConditionFolder.load(withConfig(tmp, "sample_size", "96"), warnings::add)) {
      assertEquals(List.of(), warnings);
    }
    try (UNet2DCondition net = UNet2DConditionFolder.load(withConfig(tmp, "frobnicate", "1"), warnings::add)) {
      assertEquals(1, warnings.size());
      assertTrue(warnings.get(0).contains("frobnicate"), warnings.get(0));
    }
  }

  @Test
  void loadsStrictly(@TempDir Path tmp) throws Exception {
    Path src = fixture("bksdm").resolve("unet");
    Map<String, Safetensors.Entry> all = ForeignSafetensors.read(src.resolve("diffusion_pytorch_model.bf16.safetensors"))
        .tensors();
    String dropped = "up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight";
    assertTrue(all.containsKey(dropped));

    Map<String, Safetensors.Entry> fewer = new LinkedHashMap<>(all);
    fewer.remove(dropped);
    var e = assertThrows(StoreException.class, () -> UNet2DConditionFolder.load(folder(tmp, "fewer", src, fewer), w -> { }));
    assertTrue(e.getMessage().contains("lack tensor " + dropped), e.getMessage());

    Map<String, Safetensors.Entry> more = new LinkedHashMap<>(all);
    more.put("up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.bias", new Safetensors.Entry(new long[] {16},
        new float[16]));
    e = assertThrows(StoreException.class, () -> UNet2DConditionFolder.load(folder(tmp, "more", src, more), w -> { }));
    assertTrue(e.getMessage().contains("attn2.to_k.bias not used"), e.getMessage());

    Map<String, Safetensors.Entry> wide = new LinkedHashMap<>(all);
    wide.put(dropped, new Safetensors.Entry(new long[] {16, 32}, new float[16 * 32]));
    e = assertThrows(StoreException.class, () -> UNet2DConditionFolder.load(folder(tmp, "wide", src, wide), w -> { }));
    assertTrue(e.getMessage().contains(dropped + " has shape [16, 32]"), e.getMessage());

    e = assertThrows(StoreException.class, () -> UNet2DConditionFolder.load(tmp, w -> { }));
    assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
  }

  @Test
  void prefersFullPrecisionWeightsUnlessAVariantIsAsked(@TempDir Path tmp) throws Exception {
    Path src = fixture("bksdm").resolve("unet");
    Map<String, Safetensors.Entry> zeros = new LinkedHashMap<>();
    ForeignSafetensors.read(src.resolve("diffusion_pytorch_model.bf16.safetensors")).tensors()
        .forEach((k, v) -> zeros.put(k, new Safetensors.Entry(v.shape(), new float[v.values().length])));
    Path dir = folder(tmp, "both", src, zeros);
    Files.copy(src.resolve("diffusion_pytorch_model.bf16.safetensors"), dir.resolve("diffusion_pytorch_model.bf16.safetensors"));
    try (UNet2DCondition plain = UNet2DConditionFolder.load(dir, w -> { });
        UNet2DCondition bf16 = UNet2DConditionFolder.load(dir, "bf16", w -> { });
        PointerScope scope = new PointerScope()) {
      assertEquals(0.0, torch.abs(plain.parameters().get("conv_in.weight")).max().item_double());
      assertTrue(torch.abs(bf16.parameters().get("conv_in.weight")).max().item_double() > 0.01);
    }
  }

  private static Path folder(Path tmp, String name, Path src, Map<String, Safetensors.Entry> weights) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
    Safetensors.write(dir.resolve("diffusion_pytorch_model.safetensors"), weights, Map.of("format", "pt"), false);
    return dir;
  }

  @Test
  void loadingDrawsNoRandomNumbers() throws Exception {
    torch.manual_seed(5);
    float[] before;
    try (PointerScope scope = new PointerScope()) {
      before = Torch.toFloats(torch.randn(4));
    }
    torch.manual_seed(5);
    try (UNet2DCondition net = UNet2DConditionFolder.load(fixture("sd2").resolve("unet"), w -> { });
        PointerScope scope = new PointerScope()) {
      assertArrayEquals(before, Torch.toFloats(torch.randn(4)), "the global generator did not move");
    }
  }

  /**
   * diffusers' full-size SD 1.5 UNet (860 M parameters, runwayml's config) at random weights, one 64x64
   * latent forward at batch 1; the folder is generated once with pytorch26 (several GB, minutes).
   */
  @Test
  @EnabledIfSystemProperty(named = "jdiffusion.t2i.full", matches = "true")
  void fullSizeSd15EqualsDiffusers() throws Exception {
    Path dir = Path.of("target", "t2i-full-sd15").toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("io.safetensors"))) {
      Path tool = TestTorch.pytorch26();
      Path diffusers = Path.of(System.getProperty("jdiffusion.diffusers", "/tmp/diffusers"));
      Path hub = Path.of(System.getProperty("jdiffusion.hfhub", "/tmp/hfhub"));
      Assumptions.assumeTrue(Files.isExecutable(tool) && Files.isDirectory(diffusers),
          "no pytorch26 or diffusers sources: skipped");
      ProcessBuilder pb = new ProcessBuilder(tool.toString(), "run", "scripts/t2i/unet_cond_fixtures.py", "--full",
          dir.toString()).directory(TestTorch.repoRoot().toFile()).inheritIO();
      pb.environment().put("PYTORCH26_EXTRA", diffusers + ":" + hub);
      pb.environment().put("PYTHONPATH", diffusers.resolve("src") + ":" + hub.resolve("src"));
      Process p = pb.start();
      assertTrue(p.waitFor(60, TimeUnit.MINUTES) && p.exitValue() == 0, "the generating script failed");
    }
    long t0 = System.nanoTime();
    try (UNet2DCondition net = UNet2DConditionFolder.load(dir.resolve("unet"), w -> { })) {
      long t1 = System.nanoTime();
      String loadedRss = status("VmRSS:");
      String loadedPeak = status("VmHWM:");
      double fp32 = relativeError(net, dir.resolve("io.safetensors"), Precision.FP32);
      long t2 = System.nanoTime();
      relativeError(net, dir.resolve("io.safetensors"), Precision.FP32);
      long t3 = System.nanoTime();
      System.out.printf(Locale.ROOT, "SD 1.5 UNet (%d parameters): load %.1f s, forward %.1f s (then %.1f s), fp32"
          + " relative error %.2e; RSS after loading %s (peak %s), peak RSS at the end %s%n", net.parameterCount(),
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, fp32, loadedRss, loadedPeak, status("VmHWM:"));
      assertTrue(fp32 < FP32_BOUND, "fp32 relative error " + fp32);
    }
  }

  /** A line of /proc/self/status (VmRSS:, VmHWM:), or "?" where there is none. */
  private static String status(String key) throws Exception {
    Path p = Path.of("/proc/self/status");
    if (!Files.isReadable(p)) {
      return "?";
    }
    for (String line : Files.readAllLines(p)) {
      if (line.startsWith(key)) {
        return line.substring(key.length()).trim();
      }
    }
    return "?";
  }
}
