package io.jdiffusion.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PredictionTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @ParameterizedTest
  @EnumSource(Prediction.class)
  void targetConvertsBackToX0AndEps(Prediction p) {
    ForwardProcess fp = new ForwardProcess(NoiseSchedule.linear(1000));
    int[] t = {0, 10, 250, 500, 999, 731};
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(1);
      Tensor x0 = torch.rand(new long[] {6, 1, 4, 4}).mul(Torch.s(2)).sub(Torch.s(1));
      Tensor eps = torch.randn(6, 1, 4, 4);
      Tensor a = fp.sqrtAlphaBar(t);
      Tensor b = fp.sqrtOneMinusAlphaBar(t);
      Tensor xt = fp.qSample(x0, t, eps);
      Tensor out = p.target(x0, eps, a, b); // a perfect network's output
      // x0 from eps divides by sqrt(alphaBar_999) ~ 0.006: float32 round-off grows to ~1e-4 there
      double tolX0 = p == Prediction.EPS ? 2e-3 : 1e-5;
      double tolEps = p == Prediction.X0 ? 2e-3 : 1e-5;
      assertTrue(TestTorch.maxAbsDiff(Torch.toFloats(x0), Torch.toFloats(p.toX0(xt, out, a, b))) < tolX0);
      assertTrue(TestTorch.maxAbsDiff(Torch.toFloats(eps), Torch.toFloats(p.toEps(xt, out, a, b))) < tolEps);
    }
  }

  @Test
  void vIsTheDocumentedCombination() {
    ForwardProcess fp = new ForwardProcess(NoiseSchedule.linear(1000));
    NoiseSchedule s = fp.schedule();
    try (PointerScope scope = new PointerScope()) {
      Tensor x0 = Torch.tensor(new float[] {0.5f}, 1, 1, 1, 1);
      Tensor eps = Torch.tensor(new float[] {-1.25f}, 1, 1, 1, 1);
      int[] t = {300};
      float v = Torch.toFloats(Prediction.V.target(x0, eps, fp.sqrtAlphaBar(t), fp.sqrtOneMinusAlphaBar(t)))[0];
      assertEquals(s.sqrtAlphaBar(300) * -1.25 - s.sqrtOneMinusAlphaBar(300) * 0.5, v, 1e-6);
    }
  }
}
