package io.jdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RePaint, SDEdit, DDIM inversion and slerp against invariants and the exact Gaussian denoiser. */
class EditingTest {
  private static final double MU = 0.3;
  private static final double SD = 0.5;
  private static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000);

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** n images of 1x2x2 with values spread over [-0.9, 0.9]. */
  private static Tensor images(int n) {
    float[] v = new float[n * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (-0.9 + 1.8 * ((i * 7919) % 101) / 100.0);
    }
    return Torch.tensor(v, n, 1, 2, 2);
  }

  @Test
  void rePaintScheduleFollowsTheAuthorsJumps() {
    // get_schedule_jump(t_T=10, jump_length=3, jump_n_sample=2): jumps at 0, 3, 6
    int[] expected = {9, 8, 7, 6, 7, 8, 9, 8, 7, 6, 5, 4, 3, 4, 5, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, -1};
    assertArrayEquals(expected, RePaint.schedule(10, 3, 2));
    assertEquals(10 + 3 * 3, RePaint.evaluations(expected));
    assertArrayEquals(new int[] {4, 3, 2, 1, 0, -1}, RePaint.schedule(5, 10, 10));
    assertArrayEquals(new int[] {2, 1, 0, -1}, RePaint.schedule(3, 1, 1));
    // paper setting: 250 steps, j = 10, r = 10
    assertEquals(250 + 24 * 9 * 10, RePaint.evaluations(RePaint.schedule(250, 10, 10)));
    assertThrows(IllegalArgumentException.class, () -> RePaint.schedule(10, 0, 2));
  }

  @Test
  void rePaintsCostIsCountedBeforeTheScheduleIsBuilt() {
    for (int[] c : new int[][] {{10, 3, 2}, {5, 10, 10}, {3, 1, 1}, {250, 10, 10}, {50, 7, 4}, {49, 7, 4}, {1, 1, 9}}) {
      assertEquals(RePaint.evaluations(RePaint.schedule(c[0], c[1], c[2])), RePaint.evaluations(c[0], c[1], c[2]),
          java.util.Arrays.toString(c));
    }
    // 50 steps, 4 returns of 10 steps each resampled 50000 times: refused at once, not built until the heap is full
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RePaint.schedule(50, 10, 50_000));
    assertTrue(e.getMessage().contains("takes 2000010 network evaluations per image, more than 1000000"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RePaint.schedule(50, 10, 2_000_000_000));
    assertThrows(IllegalArgumentException.class, () -> RePaint.schedule(50, 2_000_000_000, 2));
  }

  @Test
  void inpaintingWithEverythingKnownReturnsTheOriginal() {
    Denoiser d = new GaussianDenoiser(LINEAR, MU, SD, Prediction.EPS);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x0 = images(4);
      ImageNoise noise = ImageNoise.consecutive(1, 4);
      Tensor out = RePaint.inpaint(d, LINEAR, x0, Torch.full(1, 1, 1, 2, 2), noise.next(1, 2, 2), noise,
          Timesteps.LEADING.select(1000, 20), 5, 3, Ddpm.Variance.FIXED_SMALL, true, i -> {});
      assertEquals(0.0, TestTorch.maxAbsDiff(Torch.toFloats(x0), Torch.toFloats(out)), 1e-6);
    }
  }

  @ParameterizedTest
  @EnumSource(Prediction.class)
  void inpaintingKeepsTheKnownPixelsAndFillsTheRestFromTheModel(Prediction p) {
    // every one of the 1000 steps visited, so that the DDPM steps are fine enough (RePaint over a
    // 100-step schedule with betas up to 0.2 filled with sd 0.455: ancestral steps drop Var[x0 | x_t])
    NoiseSchedule s = LINEAR;
    Denoiser d = new GaussianDenoiser(s, MU, SD, p);
    int n = 2048;
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x0 = images(n);
      Tensor known = Torch.tensor(new float[] {1, 0, 0, 1}, 1, 1, 2, 2); // diagonal known
      ImageNoise noise = ImageNoise.consecutive(0, n);
      int[] order = RePaint.schedule(1000, 10, 2);
      int[] moves = {0};
      float[] out = Torch.toFloats(RePaint.inpaint(d, s, x0, known, noise.next(1, 2, 2), noise,
          Timesteps.LEADING.select(1000, 1000), 10, 2, Ddpm.Variance.FIXED_SMALL, false, i -> moves[0]++));
      assertEquals(order.length - 1, moves[0]);
      float[] orig = Torch.toFloats(x0);
      float[] filled = new float[2 * n];
      for (int i = 0; i < n; i++) {
        assertEquals(orig[4 * i], out[4 * i], 1e-6);
        assertEquals(orig[4 * i + 3], out[4 * i + 3], 1e-6);
        filled[2 * i] = out[4 * i + 1];
        filled[2 * i + 1] = out[4 * i + 2];
      }
      double[] ms = GaussianDenoiser.meanSd(filled);
      assertEquals(MU, ms[0], 0.03, p + " mean of the filled pixels");
      assertEquals(SD, ms[1], 0.03, p + " sd of the filled pixels");
    }
  }

  @Test
  void sdEditStrengthSelectsTheTailOfTheTimesteps() {
    int[] all = Timesteps.LEADING.select(1000, 10);
    assertArrayEquals(all, SdEdit.timesteps(all, 1.0));
    assertArrayEquals(new int[] {200, 100, 0}, SdEdit.timesteps(all, 0.3));
    assertArrayEquals(new int[] {0}, SdEdit.timesteps(all, 0.001));
    assertEquals(5, SdEdit.timesteps(all, 0.5).length);
    assertThrows(IllegalArgumentException.class, () -> SdEdit.timesteps(all, 0));
    assertThrows(IllegalArgumentException.class, () -> SdEdit.timesteps(all, 1.01));
  }

  @Test
  void sdEditWithTinyStrengthStaysCloseAndFullStrengthForgetsTheInput() {
    Denoiser d = new GaussianDenoiser(LINEAR, MU, SD, Prediction.V);
    int[] ts = Timesteps.LEADING.select(1000, 50);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor guide = images(256);
      float[] in = Torch.toFloats(guide);
      // one step at t = 0: noise sqrt(1 - alphaBar_0) = 0.01
      float[] near = Torch.toFloats(SdEdit.edit(d, LINEAR, guide, ImageNoise.consecutive(0, 256), ts, 0.02, SamplerSettings.eta(0).clip(false), StepCallback.NONE));
      assertTrue(TestTorch.maxAbsDiff(in, near) < 0.05, "max change " + TestTorch.maxAbsDiff(in, near));
      // from t = 980 the guide's weight sqrt(alphaBar) is 0.007: the output is the model's N(MU, SD)
      Tensor constant = Torch.full(-0.9, 2048, 1, 2, 2);
      float[] far = Torch.toFloats(SdEdit.edit(d, LINEAR, constant, ImageNoise.consecutive(0, 2048), ts, 1.0, SamplerSettings.eta(0).clip(false), StepCallback.NONE));
      double[] ms = GaussianDenoiser.meanSd(far);
      assertEquals(MU, ms[0], 0.03);
      assertEquals(SD, ms[1], 0.03);
    }
  }

  /** Max |DDIM(invert(x0)) - x0| with the exact denoiser, over N trailing steps. */
  private static double reconstructionError(Prediction p, int steps) {
    Denoiser d = new GaussianDenoiser(LINEAR, MU, SD, p);
    int[] ts = Timesteps.TRAILING.select(1000, steps);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x0 = images(64);
      Tensor latent = DdimInversion.invert(d, LINEAR, x0, ts, i -> {});
      Tensor back = Sample.ddim(d, LINEAR, latent, null, ts, 0.0, false);
      return TestTorch.maxAbsDiff(Torch.toFloats(x0), Torch.toFloats(back));
    }
  }

  @ParameterizedTest
  @EnumSource(Prediction.class)
  void ddimInversionThenDdimSamplingReconstructsTheInput(Prediction p) {
    // first order in the step: 0.079 with 50 steps, 0.020 with 200
    double e50 = reconstructionError(p, 50);
    double e200 = reconstructionError(p, 200);
    assertTrue(e200 < 0.025, p + ": error " + e200);
    assertEquals(4.0, e50 / e200, 1.0, p + ": " + e50 + " -> " + e200);
  }

  @Test
  void slerpHasExactEndpointsAndKeepsEqualNorms() {
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      ImageNoise noise = ImageNoise.consecutive(0, 3);
      Tensor z0 = noise.next(2, 4, 4);
      Tensor z1 = noise.next(2, 4, 4);
      float[] a = Torch.toFloats(z0);
      float[] b = Torch.toFloats(z1);
      assertEquals(0.0, TestTorch.maxAbsDiff(a, Torch.toFloats(Slerp.slerp(z0, z1, 0))));
      assertEquals(0.0, TestTorch.maxAbsDiff(b, Torch.toFloats(Slerp.slerp(z0, z1, 1))));
      // rescale z1 to |z0| per image: then every point of the path has that norm, and the angle to z0
      // grows linearly
      int per = 32;
      float[] c = b.clone();
      for (int i = 0; i < 3; i++) {
        double scale = Math.sqrt(dot(a, a, i, per) / dot(b, b, i, per));
        for (int k = i * per; k < (i + 1) * per; k++) {
          c[k] = (float) (b[k] * scale);
        }
      }
      Tensor z1Same = Torch.tensor(c, 3, 2, 4, 4);
      for (double t : new double[] {0.1, 0.25, 0.5, 0.9}) {
        float[] m = Torch.toFloats(Slerp.slerp(z0, z1Same, t));
        for (int i = 0; i < 3; i++) {
          double norm0 = Math.sqrt(dot(a, a, i, per));
          assertEquals(norm0, Math.sqrt(dot(m, m, i, per)), 1e-4 * norm0, "norm at " + t);
          double theta = Math.acos(dot(a, c, i, per) / (norm0 * norm0));
          double angle = Math.acos(Math.min(1, dot(a, m, i, per) / (norm0 * Math.sqrt(dot(m, m, i, per)))));
          assertEquals(t * theta, angle, 1e-3, "angle at " + t);
        }
      }
      // parallel latents: linear interpolation
      float[] mid = Torch.toFloats(Slerp.slerp(z0, z0.mul(Torch.s(3)), 0.5));
      for (int k = 0; k < a.length; k++) {
        assertEquals(2 * a[k], mid[k], 1e-5);
      }
    }
  }

  private static double dot(float[] u, float[] v, int image, int per) {
    double s = 0;
    for (int k = image * per; k < (image + 1) * per; k++) {
      s += (double) u[k] * v[k];
    }
    return s;
  }
}
