package io.jdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScheduleAndOptimizerTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void warmupIsLinearAndCosineEndsAtZero() {
    assertEquals(0.1, LrSchedule.CONSTANT.at(0, 100, 1.0, 10), 1e-12);
    assertEquals(1.0, LrSchedule.CONSTANT.at(9, 100, 1.0, 10), 1e-12);
    assertEquals(1.0, LrSchedule.CONSTANT.at(99, 100, 1.0, 10), 1e-12);
    assertEquals(1.0, LrSchedule.COSINE.at(10, 110, 1.0, 10), 1e-12);
    assertEquals(0.5, LrSchedule.COSINE.at(60, 110, 1.0, 10), 1e-12);
    assertEquals(0.0, LrSchedule.COSINE.at(110, 110, 1.0, 10), 1e-12);
  }

  @Test
  void adamWFirstStepsFollowTheClosedForm() {
    // f(p) = p^2: g = 2p. Step 1: m = 0.1 g, v = 0.001 g^2; bias-corrected m/sqrt(v) = sign(g).
    try (PointerScope scope = new PointerScope()) {
      Tensor p = Torch.tensor(new float[] {1.5f, -2f}, 2);
      p.requires_grad_(true);
      p.retainReference();
      Map<String, Tensor> params = new LinkedHashMap<>();
      params.put("p", p);
      AdamW opt = new AdamW(params, 0.9, 0.999, 1e-8, 0.1);
      double lr = 0.01;
      double[] expect = {1.5, -2.0};
      double[] m = new double[2];
      double[] v = new double[2];
      for (int k = 1; k <= 3; k++) {
        try (PointerScope s = new PointerScope()) {
          p.mul(p).sum().backward();
        }
        opt.step(lr);
        for (int i = 0; i < 2; i++) {
          double g = 2 * expect[i];
          expect[i] *= 1 - lr * 0.1;
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          double mh = m[i] / (1 - Math.pow(0.9, k));
          double vh = v[i] / (1 - Math.pow(0.999, k));
          expect[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
        }
        float[] got = Torch.toFloats(p);
        assertEquals(expect[0], got[0], 1e-6, "step " + k);
        assertEquals(expect[1], got[1], 1e-6, "step " + k);
      }
      assertEquals(3, opt.stepCount());
      assertEquals(false, p.grad().defined(), "gradients are cleared after a step");
    }
  }

  @Test
  void emaDecayWarmsUp() {
    Ema ema = new Ema(new io.jdiffusion.nn.UNet(TestTorch.micro(0)), 0.999, true);
    assertEquals(0.1, ema.decayAt(0), 1e-12);
    assertEquals(11.0 / 20.0, ema.decayAt(10), 1e-12);
    assertEquals(0.999, ema.decayAt(1_000_000), 1e-12);
  }
}
