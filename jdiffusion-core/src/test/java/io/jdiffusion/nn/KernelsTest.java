package io.jdiffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel self-check and the convolution routes, on any CPU: the routes are checked against float64
 * at partial-block shapes, the check must reject deliberately wrong kernels, and a U-Net whose
 * convolutions are all forced onto a route must get the gradients of the oneDNN-free im2col path.
 */
class KernelsTest {
  /** Partial-block shapes of the models (conv_in, conv_out, micro U-Net) and the ones the Zen 5 probe found wrong. */
  private static final List<KernelSpec.Conv> PARTIAL = List.of(
      new KernelSpec.Conv(32, 1, 3, 1, 28, 28, Precision.FP32),
      new KernelSpec.Conv(1, 32, 3, 1, 28, 28, Precision.FP32),
      new KernelSpec.Conv(8, 8, 3, 2, 8, 8, Precision.FP32),
      new KernelSpec.Conv(16, 8, 1, 1, 8, 8, Precision.FP32),
      new KernelSpec.Conv(24, 8, 3, 1, 8, 8, Precision.FP32),
      new KernelSpec.Conv(3, 16, 3, 1, 32, 32, Precision.BF16),
      new KernelSpec.Conv(32, 3, 3, 1, 16, 16, Precision.BF16));

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @AfterEach
  void unforce() {
    Kernels.force(null);
  }

  @Test
  void paddedAndIm2colRoutesMatchFloat64AtPartialBlockShapes() {
    for (KernelSpec.Conv s : PARTIAL) {
      for (ConvRoute r : List.of(ConvRoute.PAD16, ConvRoute.IM2COL)) {
        KernelCheck.Result res = KernelCheck.conv(s, r.name(), r::apply);
        assertTrue(res.passed(), s.describe() + " via " + r + ": " + res);
      }
    }
  }

  @Test
  void theCheckCatchesDeliberatelyWrongKernels() {
    KernelSpec.Conv s = new KernelSpec.Conv(16, 16, 3, 1, 8, 8, Precision.FP32);
    // forward right, input gradient scaled by 0.9 (the shape of the Zen 5 failure)
    KernelCheck.Result dx = KernelCheck.conv(s, "wrong dx", (x, w, b, st, p) ->
        ConvRoute.FAST.apply(x.mul(Torch.s(0.9)).add(x.detach().mul(Torch.s(0.1))), w, b, st, p));
    assertFalse(dx.passed(), dx.toString());
    assertEquals(0.1, dx.inputGrad(), 1e-3);
    assertTrue(dx.output() < 1e-5 && dx.weightGrad() < 1e-5, dx.toString());
    // a NaN in the input gradient
    KernelCheck.Result nan = KernelCheck.conv(s, "nan dx", (x, w, b, st, p) -> {
      Tensor poison = x.sub(x.detach()).mul(Torch.s(Double.NaN)); // zero forward, NaN gradient
      return ConvRoute.FAST.apply(x, w, b, st, p).add(poison.sum());
    });
    assertFalse(nan.passed());
    assertEquals(Double.POSITIVE_INFINITY, nan.inputGrad());
    // output off by 1e-3 relative: above the fp32 bound of 1e-4
    KernelCheck.Result out = KernelCheck.conv(s, "wrong y", (x, w, b, st, p) ->
        ConvRoute.FAST.apply(x, w, b, st, p).mul(Torch.s(1.001)));
    assertFalse(out.passed());
    // a weight gradient that is wrong at one batch size only still fails (worst case over batches)
    KernelCheck.Result batchDependent = KernelCheck.conv(new KernelSpec.Conv(16, 8, 3, 1, 8, 8, Precision.FP32),
        "wrong at batch 5", (x, w, b, st, p) -> x.size(0) == 5
            ? ConvRoute.FAST.apply(x, w.mul(Torch.s(0.5)).add(w.detach().mul(Torch.s(0.5))), b, st, p)
            : ConvRoute.FAST.apply(x, w, b, st, p));
    assertFalse(batchDependent.passed());
    assertEquals(0.5, batchDependent.weightGrad(), 1e-3);
  }

  @Test
  void forcedRoutesGiveTheUNetTheGradientsOfTheIm2colPath() {
    Map<String, float[]> im2col = unetGradients(ConvRoute.IM2COL);
    for (ConvRoute r : new ConvRoute[] {ConvRoute.PAD16, null}) { // null: the routes this CPU's checks chose
      Map<String, float[]> g = unetGradients(r);
      double scale = 0;
      for (float[] v : im2col.values()) {
        for (float x : v) {
          scale = Math.max(scale, Math.abs(x));
        }
      }
      for (var e : im2col.entrySet()) {
        // relative to the largest gradient of the model: some are zero in exact arithmetic (attention's key
        // bias: softmax ignores a shift shared by all keys) and hold only rounding
        double d = TestTorch.maxAbsDiff(g.get(e.getKey()), e.getValue()) / scale;
        assertTrue(d < 1e-5, (r == null ? "checked routes" : r) + ": " + e.getKey() + " differs by " + d);
      }
    }
    // forced: every partial-block convolution of the micro U-Net took the route, each after its own check
    unetGradients(ConvRoute.PAD16);
    int partials = 0;
    for (Kernels.Verdict v : Kernels.verdicts()) {
      assertTrue(v.usable(), v.toString());
      if (v.spec().startsWith("conv:")) {
        String[] f = v.spec().split(":");
        boolean partial = ConvRoute.partialBlock(Integer.parseInt(f[1]), Integer.parseInt(f[2]));
        partials += partial ? 1 : 0;
        assertEquals(partial ? ConvRoute.PAD16 : ConvRoute.FAST, v.route(), v.toString());
        assertEquals(partial ? 1 : v.checks().size(), v.checks().size());
      }
    }
    assertTrue(partials >= 4, "micro U-Net partial-block convolutions: " + partials);
  }

  /** Parameter gradients of one forward/backward of the micro U-Net with every convolution on {@code route}. */
  private static Map<String, float[]> unetGradients(ConvRoute route) {
    Kernels.force(route);
    Map<String, float[]> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(7);
      UNet net = new UNet(TestTorch.micro(0));
      Tensor x = torch.randn(8, 1, 8, 8);
      Tensor y = net.forward(x, new double[] {1, 50, 99, 3, 10, 20, 30, 40}, null, Forward.EVAL_FP32);
      y.mul(torch.randn(8, 1, 8, 8)).sum().backward();
      for (var e : net.parameters().entrySet()) {
        out.put(e.getKey(), Torch.toFloats(e.getValue().grad()));
      }
    }
    return out;
  }

  @Test
  void theEngineIsNamedByThePresetsOwnDescriptor() {
    // the presets' pom.properties, which the runnable jar keeps; not the enclosing jar's manifest
    String v = Kernels.presetsVersion();
    assertTrue(v != null && v.matches("\\d+\\.\\d+\\.\\d+-\\d+\\.\\d+\\.\\d+"), String.valueOf(v));
    assertTrue(Kernels.engine().startsWith("libtorch " + v.substring(0, v.indexOf('-')) + " (org.bytedeco:pytorch " + v),
        Kernels.engine());
  }

  @Test
  void verdictsAreCachedOnDiskPerCpuAndEngine() throws Exception {
    KernelSpec.LinearSpec s = new KernelSpec.LinearSpec(24, 40, Precision.FP32);
    Kernels.Verdict v = Kernels.require(s);
    assertTrue(v.usable());
    String cached = Files.readString(Kernels.cacheFile());
    assertTrue(cached.contains(s.key() + "@" + torch.get_num_threads()), cached);
    assertTrue(cached.contains(CpuInfo.current().modelName()), cached);
    assertTrue(cached.contains(Kernels.engine()), cached);
  }

  @Test
  void largeSizesShareTheVerdictOfACappedSizeWithTheSameTail() {
    // sides up to 48 as they are; larger ones at 32 + side mod 16 (tail of a 16-wide loop, stride-2 parity)
    assertEquals(new KernelSpec.Conv(320, 4, 3, 1, 48, 7, Precision.FP32).key(), "conv:320:4:3:1:48:7:FP32");
    assertEquals(new KernelSpec.Conv(4, 320, 3, 2, 33, 47, Precision.BF16),
        new KernelSpec.Conv(4, 320, 3, 2, 97, 63, Precision.BF16));
    assertEquals(new KernelSpec.Conv(32, 1, 3, 1, 28, 32, Precision.FP32).key(), "conv:32:1:3:1:28:32:FP32");
    // whole 16-channel blocks (never seen wrong): sides up to 31 as they are, else 16 + side mod 16
    assertEquals(new KernelSpec.Conv(128, 128, 3, 1, 16, 31, Precision.FP32),
        new KernelSpec.Conv(128, 128, 3, 1, 512, 63, Precision.FP32));
    assertEquals(28, new KernelSpec.Conv(64, 64, 3, 1, 28, 28, Precision.FP32).height());
    assertEquals(new KernelSpec.GroupNormSpec(32, 128, 40, 32, Precision.FP32),
        new KernelSpec.GroupNormSpec(32, 128, 520, 512, Precision.FP32));
    assertEquals(1536, new KernelSpec.AttentionSpec(8, 1536, 40).tokens());
    assertEquals(1024, new KernelSpec.AttentionSpec(8, 4096, 40).tokens());
    assertEquals(1024 + 77, new KernelSpec.AttentionSpec(8, 4096 + 77, 40).tokens());
    // a 512x512 VAE convolution: checked like a 16x16 one, in well under a second
    KernelSpec.Conv big = new KernelSpec.Conv(128, 128, 3, 1, 512, 512, Precision.FP32);
    assertEquals(16, big.height());
    assertTrue(KernelCheck.conv(big, "FAST", ConvRoute.FAST::apply, false).passed());
  }

  @Test
  void forwardOnlyChecksCatchAWrongOutputAndSkipTheGradients() {
    KernelSpec.Conv s = new KernelSpec.Conv(16, 8, 3, 1, 8, 8, Precision.FP32);
    KernelCheck.Result right = KernelCheck.conv(s, "fast", ConvRoute.FAST::apply, false);
    assertTrue(right.passed() && right.output() > 0 && right.inputGrad() == 0 && right.weightGrad() == 0,
        right.toString());
    KernelCheck.Result wrong = KernelCheck.conv(s, "wrong y", (x, w, b, st, p) ->
        ConvRoute.FAST.apply(x, w, b, st, p).mul(Torch.s(1.01)), false);
    assertFalse(wrong.passed(), wrong.toString());
    // a wrong input gradient passes a forward-only check: only sampling may use such a verdict
    KernelCheck.Result dxOnly = KernelCheck.conv(s, "wrong dx", (x, w, b, st, p) ->
        ConvRoute.FAST.apply(x, w, b, st, p).mul(Torch.s(0.9)).add(ConvRoute.FAST.apply(x, w, b, st, p).detach()
            .mul(Torch.s(0.1))), false);
    assertTrue(dxOnly.passed(), dxOnly.toString());
  }

  @Test
  void samplingUsesForwardVerdictsAndTrainingChecksTheGradients() throws Exception {
    KernelSpec.LinearSpec s = new KernelSpec.LinearSpec(24, 41, Precision.FP32);
    Kernels.forget(true); // memory and this machine's (test) cache file: nothing may answer from an earlier run
    Kernels.Verdict forward;
    try (org.bytedeco.pytorch.NoGradGuard off = new org.bytedeco.pytorch.NoGradGuard()) {
      forward = Kernels.require(s);
    }
    assertFalse(forward.gradients());
    assertEquals(0, forward.checks().get(0).inputGrad());
    Kernels.Verdict full;
    try (org.bytedeco.pytorch.AutoGradMode on = new org.bytedeco.pytorch.AutoGradMode(true)) {
      full = Kernels.require(s);
    }
    assertTrue(full.gradients() && full.checks().get(0).inputGrad() > 0, full.toString());
    assertTrue(Files.readString(Kernels.cacheFile()).contains(s.key() + "@" + torch.get_num_threads() + "/forward"));
    // a later forward-only use of another spec after a full verdict: the full one serves
    KernelSpec.LinearSpec t = new KernelSpec.LinearSpec(24, 43, Precision.FP32);
    try (org.bytedeco.pytorch.AutoGradMode on = new org.bytedeco.pytorch.AutoGradMode(true)) {
      Kernels.require(t);
    }
    try (org.bytedeco.pytorch.NoGradGuard off = new org.bytedeco.pytorch.NoGradGuard()) {
      assertTrue(Kernels.require(t).gradients());
    }
  }

  @Test
  void aFailingKernelWithoutARouteStopsWithOneClearMessage() {
    KernelSpec.GroupNormSpec s = new KernelSpec.GroupNormSpec(4, 16, 4, 4, Precision.BF16);
    Kernels.remember(s, new Kernels.Verdict(s.key(), s.describe(), torch.get_num_threads(), true, null,
        List.of(new KernelCheck.Result("libtorch group_norm", 0.3, Double.POSITIVE_INFINITY, 0, 2e-2)), 1.0));
    try (PointerScope scope = new PointerScope()) {
      GroupNorm gn = new GroupNorm(new Params(), "gn", 4, 16);
      Kernels.KernelFailure e = assertThrows(Kernels.KernelFailure.class,
          () -> gn.forward(torch.randn(2, 16, 4, 4), new Forward(Precision.BF16, false)));
      assertEquals("group_norm 16 channels / 4 groups at 4x4 bf16: libtorch's kernel fails its self-check on this CPU"
          + " (relative error: output 0.30, input gradient Infinity, weight gradient 0.0; bound 2e-02); bf16 cannot be"
          + " used here, use --precision fp32", e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Kernels.parseForce("avx2"));
    assertEquals(ConvRoute.PAD16, Kernels.parseForce(" Pad16 "));
  }

  @Test
  void cpuInfoCountsPhysicalCoresAndReadsTheFirstBlock() {
    List<String> lines = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26", "model\t\t: 2",
        "model name\t: AMD EPYC", "physical id\t: 0", "core id\t\t: 0", "flags\t\t: fpu avx2 avx512f avx512_bf16", "",
        "processor\t: 1", "vendor_id\t: AuthenticAMD", "model name\t: other", "physical id\t: 0", "core id\t\t: 1",
        "flags\t\t: fpu", "", "processor\t: 2", "physical id\t: 0", "core id\t\t: 1", "");
    CpuInfo c = CpuInfo.parse(lines, 3);
    assertEquals("AMD EPYC", c.modelName());
    assertEquals("26", c.family());
    assertTrue(c.has("avx512_bf16") && !c.has("avx512"));
    assertEquals(2, c.physicalCores()); // processors 1 and 2 are two threads of core 1
  }
}
