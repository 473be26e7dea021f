package io.jdiffusion.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ForwardProcessTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static double[] meanVar(float[] v) {
    double m = 0;
    for (float x : v) {
      m += x;
    }
    m /= v.length;
    double var = 0;
    for (float x : v) {
      var += (x - m) * (x - m);
    }
    return new double[] {m, var / (v.length - 1)};
  }

  @Test
  void qSampleHasTheClosedFormMeanAndVariance() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    ForwardProcess fp = new ForwardProcess(s);
    for (int step : new int[] {0, 100, 500, 999}) {
      try (PointerScope scope = new PointerScope()) {
        torch.manual_seed(step);
        int n = 4096;
        int[] t = new int[n];
        Arrays.fill(t, step);
        Tensor x0 = Torch.full(0.6, n, 1, 2, 2);
        Tensor xt = fp.qSample(x0, t, torch.randn(n, 1, 2, 2));
        double[] mv = meanVar(Torch.toFloats(xt));
        double sd = Math.sqrt(1 - s.alphaBar(step));
        assertEquals(0.6 * s.sqrtAlphaBar(step), mv[0], 4 * sd / Math.sqrt(4 * n) + 1e-6, "mean at t=" + step);
        assertEquals(1 - s.alphaBar(step), mv[1], 0.05 * (1 - s.alphaBar(step)) + 1e-7, "variance at t=" + step);
      }
    }
  }

  @Test
  void qSampleKeepsUnitVarianceForUnitVarianceData() {
    ForwardProcess fp = new ForwardProcess(NoiseSchedule.linear(1000));
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(7);
      int n = 8192;
      int[] t = new int[n];
      for (int i = 0; i < n; i++) {
        t[i] = (i * 131) % 1000; // per-image timesteps
      }
      Tensor xt = fp.qSample(torch.randn(n, 1, 2, 2), t, torch.randn(n, 1, 2, 2));
      double[] mv = meanVar(Torch.toFloats(xt));
      assertEquals(0.0, mv[0], 0.02);
      assertEquals(1.0, mv[1], 0.03);
    }
  }

  @Test
  void posteriorMeanUsesBothCoefficients() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    ForwardProcess fp = new ForwardProcess(s);
    try (PointerScope scope = new PointerScope()) {
      Tensor x0 = Torch.tensor(new float[] {0.25f, -0.5f}, 2, 1, 1, 1);
      Tensor xt = Torch.tensor(new float[] {1.0f, 0.3f}, 2, 1, 1, 1);
      float[] mu = Torch.toFloats(fp.posteriorMean(x0, xt, new int[] {10, 600}));
      assertEquals(s.posteriorMeanCoefX0(10) * 0.25 + s.posteriorMeanCoefXt(10) * 1.0, mu[0], 1e-6);
      assertEquals(s.posteriorMeanCoefX0(600) * -0.5 + s.posteriorMeanCoefXt(600) * 0.3, mu[1], 1e-6);
    }
  }

  @Test
  void imageNoiseDependsOnlyOnTheImagesSeed() {
    try (PointerScope scope = new PointerScope()) {
      float[] four = Torch.toFloats(ImageNoise.consecutive(100, 4).next(1, 3, 3));
      float[] third = Torch.toFloats(new ImageNoise(new long[] {102}).next(1, 3, 3));
      assertEquals(0.0, TestTorch.maxAbsDiff(Arrays.copyOfRange(four, 18, 27), third));
      double[] mv = meanVar(Torch.toFloats(ImageNoise.consecutive(0, 512).next(1, 8, 8)));
      assertEquals(0.0, mv[0], 0.02);
      assertEquals(1.0, mv[1], 0.03);
    }
  }
}
