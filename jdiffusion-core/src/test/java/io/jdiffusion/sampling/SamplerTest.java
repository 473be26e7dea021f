package io.jdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.BetaSchedule;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SamplerTest {
  private static final double MU = 0.3;
  private static final double SD = 0.5;
  private static final int N = 2048; // images of 1x2x2: 8192 values

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static void assertGaussian(float[] v, String what) {
    double[] ms = GaussianDenoiser.meanSd(v);
    assertEquals(MU, ms[0], 0.03, what + " mean");
    assertEquals(SD, ms[1], 0.03, what + " sd");
  }

  @ParameterizedTest
  @EnumSource(Prediction.class)
  void ddimWithTheExactDenoiserRecoversTheGaussian(Prediction p) {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      ImageNoise noise = ImageNoise.consecutive(0, N);
      Tensor x = Sample.ddim(new GaussianDenoiser(s, MU, SD, p), s, noise.next(1, 2, 2), noise,
          Timesteps.LEADING.select(1000, 50), 0.0, false);
      assertGaussian(Torch.toFloats(x), "DDIM/" + p);
    }
  }

  @ParameterizedTest
  @EnumSource(Ddpm.Variance.class)
  void ddpmWithTheExactDenoiserRecoversTheGaussian(Ddpm.Variance v) {
    NoiseSchedule s = new NoiseSchedule(BetaSchedule.COSINE, 1000, 0, 0);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      ImageNoise noise = ImageNoise.consecutive(0, N);
      Tensor x = Sample.ddpm(new GaussianDenoiser(s, MU, SD, Prediction.EPS), s, noise.next(1, 2, 2), noise,
          Timesteps.LEADING.select(1000, 1000), v, false);
      assertGaussian(Torch.toFloats(x), "DDPM/" + v);
    }
  }

  @Test
  void ddimWithEtaOneIsDdpmWithThePosteriorVariance() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    int[] ts = Timesteps.TRAILING.select(1000, 25);
    Denoiser d = new GaussianDenoiser(s, MU, SD, Prediction.V);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      ImageNoise n1 = ImageNoise.consecutive(5, 16);
      float[] a = Torch.toFloats(Sample.ddim(d, s, n1.next(1, 2, 2), n1, ts, 1.0, false));
      ImageNoise n2 = ImageNoise.consecutive(5, 16);
      float[] b = Torch.toFloats(Sample.ddpm(d, s, n2.next(1, 2, 2), n2, ts, Ddpm.Variance.FIXED_SMALL, false));
      assertTrue(TestTorch.maxAbsDiff(a, b) < 1e-4, "max diff " + TestTorch.maxAbsDiff(a, b));
    }
  }

  @Test
  void ddimIsDeterministicAtEtaZeroAndVisitsEachStepOnce() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    int[] calls = {0};
    Denoiser d = new Denoiser() {
      @Override
      public Prediction prediction() {
        return Prediction.EPS;
      }

      @Override
      public Tensor output(Tensor xt, double t) {
        calls[0]++;
        return xt.mul(Torch.s(0.1));
      }
    };
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor xT = ImageNoise.consecutive(1, 2).next(1, 2, 2);
      float[] a = Torch.toFloats(Sample.ddim(d, s, xT, ImageNoise.consecutive(9, 2), Timesteps.LEADING.select(1000, 20), 0, true));
      float[] b = Torch.toFloats(Sample.ddim(d, s, xT, ImageNoise.consecutive(77, 2), Timesteps.LEADING.select(1000, 20), 0, true));
      assertEquals(0.0, TestTorch.maxAbsDiff(a, b));
      assertEquals(40, calls[0]);
    }
  }

  @Test
  void timestepSpacingsMatchDiffusers() {
    assertArrayEquals(new int[] {900, 800, 700, 600, 500, 400, 300, 200, 100, 0}, Timesteps.LEADING.select(1000, 10));
    assertArrayEquals(new int[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99}, Timesteps.TRAILING.select(1000, 10));
    assertArrayEquals(new int[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0}, Timesteps.LINSPACE.select(1000, 10));
    int[] all = Timesteps.LEADING.select(1000, 1000);
    assertEquals(999, all[0]);
    assertEquals(0, all[999]);
    assertEquals(1000, Timesteps.TRAILING.select(1000, 1000).length);
    assertThrows(IllegalArgumentException.class, () -> Timesteps.LEADING.select(1000, 0));
    assertThrows(IllegalArgumentException.class, () -> Timesteps.LEADING.select(1000, 1001));
  }
}
