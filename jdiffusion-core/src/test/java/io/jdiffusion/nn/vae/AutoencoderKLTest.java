package io.jdiffusion.nn.vae;

import static io.jdiffusion.nn.vae.VaeFixtures.assertClose;
import static io.jdiffusion.nn.vae.VaeFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * jdiffusion's AutoencoderKL against diffusers' own, on the folders and outputs that
 * scripts/t2i/vae_fixtures.py wrote with diffusers' code: encoder moments, a posterior sample with
 * recorded noise, a decode, a tiled decode and a tiled encode, all within 1e-4 of the largest reference
 * value (float32). With {@code -Djdiffusion.vae.big=true}, also the full-size Stable Diffusion VAE at
 * random weights, generated through PyTorch 2.6 and diffusers at test time.
 */
class AutoencoderKLTest {
  static final double TOL = 1e-4;

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void encodeSampleAndDecodeMatchDiffusers() throws Exception {
    Path dir = VaeFixtures.folder("kl");
    Map<String, Safetensors.Entry> io = VaeFixtures.io(dir);
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(dir)) {
      assertTrue(Files.isRegularFile(dir.resolve("diffusion_pytorch_model.fp16.safetensors"))
          && !Files.exists(dir.resolve("diffusion_pytorch_model.safetensors")), "the fixture is the fp16 variant");
      LatentDistribution q = vae.encode(tensor(io, "image"), Forward.EVAL_FP32);
      assertClose(io, "mean", q.mean(), TOL);
      assertClose(io, "logvar", q.logvar(), TOL);
      assertClose(io, "sample", q.sample(tensor(io, "noise")), TOL);
      assertEquals(q.mean(), q.mode());
      assertClose(io, "decoded", vae.decode(tensor(io, "z"), Forward.EVAL_FP32), TOL);
      // the tiles only apply to latents larger than one: this decode is the plain one
      assertClose(io, "decoded", vae.decode(tensor(io, "z"), Forward.EVAL_FP32, vae.defaultTiling()), TOL);
    }
  }

  @Test
  void tiledDecodeAndEncodeMatchDiffusersEnableTiling() throws Exception {
    Path dir = VaeFixtures.folder("kl");
    Map<String, Safetensors.Entry> io = VaeFixtures.io(dir);
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(dir)) {
      Tiling t = vae.defaultTiling();
      assertEquals(new Tiling(16, 8, 0.25), t, "diffusers' tiles for sample_size 16 and two levels");
      Tensor zBig = tensor(io, "z_big");
      assertClose(io, "tiled", vae.decode(zBig, Forward.EVAL_FP32, t), TOL);
      LatentDistribution q = vae.encode(tensor(io, "image_big"), Forward.EVAL_FP32, t);
      assertClose(io, "tiled_mean", q.mean(), TOL);
      assertClose(io, "tiled_logvar", q.logvar(), TOL);
      // the blend matters: an untiled decode of the same latents differs from diffusers' tiled one
      float[] untiled = Torch.toFloats(vae.decode(zBig, Forward.EVAL_FP32));
      assertTrue(VaeFixtures.relative(untiled, io.get("tiled").values()) > 1e-3, "tiles were blended");
    }
  }

  @Test
  void shiftFactorNoQuantConvsAndClampedLogvarMatchDiffusers() throws Exception {
    Path dir = VaeFixtures.folder("shift");
    Map<String, Safetensors.Entry> io = VaeFixtures.io(dir);
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(dir)) {
      AutoencoderKLConfig c = vae.config();
      assertEquals(0.1159, c.shiftFactor());
      assertEquals(0.3611, c.scalingFactor());
      assertTrue(!c.useQuantConv() && !c.usePostQuantConv() && !c.midBlockAddAttention() && c.forceUpcast());
      assertTrue(vae.parameters().keySet().stream().noneMatch(k -> k.contains("quant_conv") || k.contains("attentions")));
      LatentDistribution q = vae.encode(tensor(io, "image"), Forward.EVAL_FP32);
      assertClose(io, "mean", q.mean(), TOL);
      float[] logvar = Torch.toFloats(q.logvar());
      float lo = Float.MAX_VALUE;
      float hi = -Float.MAX_VALUE;
      for (float v : logvar) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      assertEquals(-30f, lo, "clamped below");
      assertEquals(20f, hi, "clamped above");
      assertClose(io, "logvar", q.logvar(), TOL);
      assertClose(io, "sample", q.sample(tensor(io, "noise")), TOL);
      assertClose(io, "decoded", vae.decode(tensor(io, "z"), Forward.EVAL_FP32), TOL);

      // pipelines: latents = (z - shift) * scaling, decoded from latents / scaling + shift
      Tensor z = tensor(io, "z");
      float[] zs = Torch.toFloats(z);
      float[] scaled = Torch.toFloats(vae.scale(z));
      float[] back = Torch.toFloats(vae.unscale(vae.scale(z)));
      for (int i = 0; i < zs.length; i++) {
        assertEquals((zs[i] - 0.1159) * 0.3611, scaled[i], 1e-6);
        assertEquals(zs[i], back[i], 1e-6);
      }
    }
  }

  @Test
  void bf16ActivationsStayNearTheFloat32Reference() throws Exception {
    Path dir = VaeFixtures.folder("kl");
    Map<String, Safetensors.Entry> io = VaeFixtures.io(dir);
    Forward bf16 = new Forward(Precision.BF16, false);
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(dir)) {
      LatentDistribution q = vae.encode(tensor(io, "image"), bf16);
      assertEquals(org.bytedeco.pytorch.global.torch.ScalarType.Float.value, q.mean().scalar_type().value);
      assertClose(io, "mean", q.mean(), 3e-2);
      assertClose(io, "decoded", vae.decode(tensor(io, "z"), bf16), 3e-2);
      assertClose(io, "tiled", vae.decode(tensor(io, "z_big"), bf16, vae.defaultTiling()), 3e-2);
    }
  }

  @Test
  void scalingWithoutShiftIsTheScalingFactorAlone() throws Exception {
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(VaeFixtures.folder("kl"))) {
      assertNull(vae.config().shiftFactor());
      assertEquals(0.18215, vae.config().scalingFactor());
      float[] scaled = Torch.toFloats(vae.scale(Torch.tensor(new float[] {1f, -2f}, 2)));
      assertEquals(0.18215f, scaled[0], 1e-7);
      assertEquals(-0.3643f, scaled[1], 1e-7);
      float[] unscaled = Torch.toFloats(vae.unscale(Torch.tensor(new float[] {0.18215f}, 1)));
      assertEquals(1f, unscaled[0], 1e-6);
    }
  }

  @Test
  void refusesConfigsItWouldComputeWrongly(@TempDir Path tmp) throws Exception {
    Path good = VaeFixtures.folder("kl").resolve("config.json");
    refuses(tmp, good, c -> c.put("norm_type", "spatial"), "norm_type");
    refuses(tmp, good, c -> c.putArray("down_block_types").add("DownEncoderBlock2D").add("AttnDownEncoderBlock2D"),
        "AttnDownEncoderBlock2D");
    refuses(tmp, good, c -> c.putArray("up_block_types").add("UpDecoderBlock2D").add("AttnUpDecoderBlock2D"),
        "AttnUpDecoderBlock2D");
    refuses(tmp, good, c -> c.put("act_fn", "gelu"), "act_fn");
    refuses(tmp, good, c -> c.putArray("block_out_channels").add(32).add(64).add(64), "3 block_out_channels");
    refuses(tmp, good, c -> c.put("norm_num_groups", 24), "norm_num_groups 24");
    refuses(tmp, good, c -> c.put("layers_per_block", "2"), "layers_per_block must be an integer");
    refuses(tmp, good, c -> c.put("_class_name", "VQModel"), "VQModel");
  }

  private static void refuses(Path tmp, Path config, Consumer<ObjectNode> edit, String named) throws Exception {
    ObjectNode c = (ObjectNode) Json.mapper().readTree(Files.readString(config, StandardCharsets.UTF_8));
    edit.accept(c);
    Path dir = Files.createTempDirectory(tmp, "vae");
    Files.writeString(dir.resolve("config.json"), c.toString());
    StoreException e = assertThrows(StoreException.class, () -> AutoencoderKL.load(dir));
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
  }

  @Test
  void weightsLoadStrictly(@TempDir Path tmp) throws Exception {
    Path kl = VaeFixtures.folder("kl");
    // a config without mid-block attention: the stored attention weights are left over
    ObjectNode c = (ObjectNode) Json.mapper().readTree(Files.readString(kl.resolve("config.json")));
    c.put("mid_block_add_attention", false);
    Path noAttn = Files.createDirectories(tmp.resolve("no_attn"));
    Files.writeString(noAttn.resolve("config.json"), c.toString());
    Files.copy(kl.resolve("diffusion_pytorch_model.fp16.safetensors"),
        noAttn.resolve("diffusion_pytorch_model.fp16.safetensors"));
    StoreException unused = assertThrows(StoreException.class, () -> AutoencoderKL.load(noAttn));
    assertTrue(unused.getMessage().contains("mid_block.attentions.0") && unused.getMessage().contains("not used"),
        unused.getMessage());
    // the shift model's weights under the kl config: missing or mis-shaped tensors
    Path mixed = Files.createDirectories(tmp.resolve("mixed"));
    Files.copy(kl.resolve("config.json"), mixed.resolve("config.json"));
    Files.copy(VaeFixtures.folder("shift").resolve("diffusion_pytorch_model.safetensors"),
        mixed.resolve("diffusion_pytorch_model.safetensors"));
    StoreException wrong = assertThrows(StoreException.class, () -> AutoencoderKL.load(mixed));
    assertTrue(wrong.getMessage().contains("not used") || wrong.getMessage().contains("no tensor")
        || wrong.getMessage().contains("has shape"), wrong.getMessage());
    // no weights at all; a variant that is not there
    Path none = Files.createDirectories(tmp.resolve("none"));
    Files.copy(kl.resolve("config.json"), none.resolve("config.json"));
    assertTrue(assertThrows(StoreException.class, () -> AutoencoderKL.load(none)).getMessage()
        .contains("diffusion_pytorch_model.safetensors"));
    assertTrue(assertThrows(StoreException.class, () -> AutoencoderKL.load(kl, "bf16")).getMessage()
        .contains("diffusion_pytorch_model.bf16.safetensors"));
  }

  @Test
  void legacyAttentionNamesAreRead() {
    assertEquals("encoder.mid_block.attentions.0.to_q.weight",
        VaeFolder.modernName("encoder.mid_block.attentions.0.query.weight"));
    assertEquals("decoder.mid_block.attentions.0.to_out.0.bias",
        VaeFolder.modernName("decoder.mid_block.attentions.0.proj_attn.bias"));
    assertEquals("decoder.up_blocks.0.resnets.0.conv1.weight",
        VaeFolder.modernName("decoder.up_blocks.0.resnets.0.conv1.weight"));
  }

  @Test
  void encodeAndDecodeLeaveOnlyTheirResultsInTheCallersScope() throws Exception {
    Path dir = VaeFixtures.folder("kl");
    Map<String, Safetensors.Entry> io = VaeFixtures.io(dir);
    try (AutoencoderKL vae = AutoencoderKL.load(dir)) {
      TestTorch.settle();
      long before = Pointer.totalCount();
      try (PointerScope scope = new PointerScope()) {
        Tensor z = tensor(io, "z_big");
        Tensor x = tensor(io, "image");
        assertAdds(1, () -> vae.decode(z, Forward.EVAL_FP32), "decode: one image tensor");
        assertAdds(1, () -> vae.decode(z, Forward.EVAL_FP32, vae.defaultTiling()), "tiled decode: one image tensor");
        assertAdds(3, () -> vae.encode(x, Forward.EVAL_FP32), "encode: mean, logvar, std");
        assertAdds(4, () -> vae.encode(tensor(io, "image_big"), Forward.EVAL_FP32, vae.defaultTiling()),
            "tiled encode: mean, logvar, std (and its input)");
      }
      TestTorch.settle();
      long after = Pointer.totalCount();
      // the count is the whole process's: a collection of earlier tests' objects can only lower it
      assertTrue(after <= before, "objects outliving the scope: " + (after - before));
    }
  }

  /**
   * {@code body} leaves {@code expected} new objects in the caller's scope. The count is process-wide, so a
   * garbage collection of unrelated objects during the call can disturb it (seen on a loaded machine):
   * up to four tries, after a collection each; a leak leaves more on every try.
   */
  private static void assertAdds(long expected, Runnable body, String what) {
    long added = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
      TestTorch.settle();
      long start = Pointer.totalCount();
      body.run();
      added = Pointer.totalCount() - start;
      if (added == expected) {
        return;
      }
    }
    assertEquals(expected, added, what);
  }

  @Test
  void refusesInputsOfTheWrongShape() throws Exception {
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(VaeFixtures.folder("kl"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> vae.decode(Torch.zeros(1, 3, 8, 8), Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("latents must be [batch, 4, height, width]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> vae.encode(Torch.zeros(3, 16, 16), Forward.EVAL_FP32));
      assertTrue(e.getMessage().contains("image must be [batch, 3, height, width]"), e.getMessage());
      LatentDistribution q = vae.encode(Torch.zeros(1, 3, 16, 16), Forward.EVAL_FP32);
      e = assertThrows(IllegalArgumentException.class, () -> q.sample(Torch.zeros(1, 4, 4, 4)));
      assertTrue(e.getMessage().contains("noise has shape [1, 4, 4, 4]"), e.getMessage());
    }
  }

  @Test
  void theStableDiffusionConfigHasItsParameterCount() {
    AutoencoderKLConfig sd = AutoencoderKLConfig.stableDiffusion();
    assertEquals(8, sd.downscale());
    assertEquals(new Tiling(512, 64, 0.25), Tiling.defaults(sd));
    assertEquals(List.of(128, 256, 512, 512), sd.blockOutChannels());
  }

  /**
   * The full-size SD VAE (83.7 M parameters) at random weights: diffusers' decode of a 64x64 latent,
   * computed by scripts/t2i/vae_fixtures.py --big through PyTorch 2.6 when the folder is not there yet.
   * Opt-in: {@code -Djdiffusion.vae.big=true}; skipped when PyTorch 2.6 or diffusers' sources are missing
   * ({@code -Djdiffusion.pytorch26=}, {@code -Djdiffusion.diffusers=}, {@code -Djdiffusion.hfhub=}).
   */
  @Test
  @EnabledIfSystemProperty(named = "jdiffusion.vae.big", matches = "true")
  void fullSizeStableDiffusionVaeDecodeMatchesDiffusers() throws Exception {
    Path out = Path.of("target", "vae-big").toAbsolutePath();
    if (!Files.isRegularFile(out.resolve("io.safetensors"))) {
      Path tool = TestTorch.pytorch26();
      Path diffusers = Path.of(System.getProperty("jdiffusion.diffusers", "/tmp/diffusers"));
      Path hfhub = Path.of(System.getProperty("jdiffusion.hfhub", "/tmp/hfhub"));
      assumeTrue(Files.isExecutable(tool), "no PyTorch 2.6 at " + tool);
      assumeTrue(Files.isDirectory(diffusers.resolve("src")) && Files.isDirectory(hfhub.resolve("src")),
          "no diffusers / huggingface_hub sources at " + diffusers + ", " + hfhub);
      Files.createDirectories(out);
      ProcessBuilder pb = new ProcessBuilder(tool.toString(), "run", "scripts/t2i/vae_fixtures.py", "--big", out.toString())
          .directory(TestTorch.repoRoot().toFile()).inheritIO();
      pb.environment().put("PYTORCH26_EXTRA", diffusers + ":" + hfhub);
      pb.environment().put("PYTHONPATH", diffusers.resolve("src") + ":" + hfhub.resolve("src"));
      assertEquals(0, pb.start().waitFor(), "vae_fixtures.py --big failed");
    }
    Map<String, Safetensors.Entry> io = VaeFixtures.io(out);
    try (PointerScope scope = new PointerScope(); AutoencoderKL vae = AutoencoderKL.load(out.resolve("vae"))) {
      assertEquals(AutoencoderKLConfig.stableDiffusion().blockOutChannels(), vae.config().blockOutChannels());
      System.out.printf(Locale.ROOT, "SD VAE: %,d parameters%n", vae.parameterCount());
      Tensor z = tensor(io, "z");
      // with the kernel self-checks, which run at capped sizes (KernelSpec): at the layers' own 512x512
      // shapes their float64 references took the JVM to 12.9 GB and the OOM killer on a 23 GB machine
      System.gc();
      String rss = status("VmRSS");
      long t0 = System.nanoTime();
      Tensor x = vae.decode(z, Forward.EVAL_FP32);
      long t1 = System.nanoTime();
      assertClose(io, "decoded", x, TOL);
      vae.decode(z, Forward.EVAL_FP32);
      System.out.printf(Locale.ROOT, "512x512 decode: %.1f s with the kernel checks, then %.1f s; JVM RSS before %s,"
          + " peak %s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, rss, status("VmHWM"));
    }
  }

  /** A line of /proc/self/status (VmRSS, VmHWM), or "?". */
  private static String status(String key) {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
          .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
