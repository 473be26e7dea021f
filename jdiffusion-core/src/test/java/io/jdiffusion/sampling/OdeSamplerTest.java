package io.jdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * DPM-Solver++, Euler, Heun and Euler a against closed forms: the probability-flow ODE of Gaussian
 * data has an exact solution, DPM-Solver++ at first order is DDIM, and the exact denoiser must give
 * back the Gaussian.
 */
class OdeSamplerTest {
  private static final double MU = 0.3;
  private static final double SD = 0.5;
  private static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000);

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** A denoiser that counts its network evaluations. */
  private static final class Counting implements Denoiser {
    final Denoiser inner;
    int calls;

    Counting(Denoiser inner) {
      this.inner = inner;
    }

    @Override
    public Prediction prediction() {
      return inner.prediction();
    }

    @Override
    public Tensor output(Tensor xt, double t) {
      calls++;
      return inner.output(xt, t);
    }
  }

  @ParameterizedTest
  @EnumSource(Prediction.class)
  void dpmSolverAtFirstOrderIsDdimWithEtaZero(Prediction p) {
    Denoiser d = new GaussianDenoiser(LINEAR, MU, SD, p);
    for (Timesteps spacing : Timesteps.values()) {
      int[] ts = spacing.select(1000, 17);
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        Tensor xT = ImageNoise.consecutive(3, 32).next(1, 2, 2);
        float[] ddim = Torch.toFloats(Sample.ddim(d, LINEAR, xT, null, ts, 0.0, false));
        float[] dpm = Torch.toFloats(Sample.dpm(d, LINEAR, xT, ts, 1, false));
        double diff = TestTorch.maxAbsDiff(ddim, dpm);
        assertTrue(diff < 1e-5, p + "/" + spacing + ": max diff " + diff);
      }
    }
  }

  /**
   * With clipping active (data N(0.5, 1.5^2) reaches far outside [-1, 1]), the estimate stays
   * consistent, x_t = a clip(x0) + b eps, so DDIM with eta 0 is still DPM-Solver++ at first order.
   */
  @ParameterizedTest
  @EnumSource(Prediction.class)
  void clippedEstimatesStayConsistentSoDdimIsStillFirstOrderDpmSolver(Prediction p) {
    Denoiser d = new GaussianDenoiser(LINEAR, 0.5, 1.5, p);
    int[] ts = Timesteps.LEADING.select(1000, 17);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor xT = ImageNoise.consecutive(5, 32).next(1, 2, 2);
      Estimate e = Estimate.at(d, LINEAR, xT.mul(Torch.s(0.5)), 200, true);
      float[] x0 = Torch.toFloats(e.x0());
      float[] unclipped = Torch.toFloats(Estimate.at(d, LINEAR, xT.mul(Torch.s(0.5)), 200, false).x0());
      assertTrue(TestTorch.maxAbsDiff(x0, unclipped) > 0.1, "the test must exercise clipping");
      float[] rebuilt = Torch.toFloats(e.x0().mul(Torch.s(LINEAR.sqrtAlphaBar(200)))
          .add(e.eps().mul(Torch.s(LINEAR.sqrtOneMinusAlphaBar(200)))));
      assertTrue(TestTorch.maxAbsDiff(rebuilt, Torch.toFloats(xT.mul(Torch.s(0.5)))) < 1e-5, p + ": x_t = a x0 + b eps");
      float[] ddim = Torch.toFloats(Sample.ddim(d, LINEAR, xT, null, ts, 0.0, true));
      float[] dpm = Torch.toFloats(Sample.dpm(d, LINEAR, xT, ts, 1, true));
      double diff = TestTorch.maxAbsDiff(ddim, dpm);
      assertTrue(diff < 1e-5, p + ": max diff " + diff);
    }
  }

  /** Max error against the exact ODE solution, from x_T at t = T-1, for each sampler. */
  private static double odeError(String sampler, int steps) {
    Denoiser d = new GaussianDenoiser(LINEAR, MU, SD, Prediction.EPS);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor xT = ImageNoise.consecutive(0, 64).next(1, 2, 2);
      // dy/dsigma = y sigma / (SD^2 + sigma^2) for y = x - MU in VE scaling: y ~ sqrt(SD^2 + sigma^2)
      float[] start = Torch.toFloats(xT);
      float[] exact = new float[start.length];
      double sigmaMax = LINEAR.sigma(999);
      for (int i = 0; i < start.length; i++) {
        double y = start[i] * Math.sqrt(1 + sigmaMax * sigmaMax) - MU;
        exact[i] = (float) (MU + y * SD / Math.sqrt(SD * SD + sigmaMax * sigmaMax));
      }
      int[] ts = Timesteps.TRAILING.select(1000, steps);
      double[] sigmas = KarrasSigmas.of(LINEAR, steps);
      Tensor x = switch (sampler) {
        case "ddim" -> Sample.ddim(d, LINEAR, xT, null, ts, 0.0, false);
        case "dpm++2m" -> Sample.dpm(d, LINEAR, xT, ts, 2, false);
        case "euler" -> Sample.euler(d, LINEAR, xT, sigmas, false);
        case "heun" -> Sample.heun(d, LINEAR, xT, sigmas, false);
        default -> throw new IllegalArgumentException(sampler);
      };
      return TestTorch.maxAbsDiff(exact, Torch.toFloats(x));
    }
  }

  @Test
  void firstOrderSolversHalveTheirErrorWhenTheStepsDouble() {
    for (String sampler : new String[] {"ddim", "euler"}) {
      double coarse = odeError(sampler, 40);
      double fine = odeError(sampler, 80);
      assertTrue(fine < 0.06, sampler + " error " + fine);
      assertEquals(2.0, coarse / fine, 0.2, sampler + ": " + coarse + " -> " + fine);
    }
  }

  @Test
  void heunIsSecondOrder() {
    double e20 = odeError("heun", 20);
    double e40 = odeError("heun", 40);
    double e80 = odeError("heun", 80);
    assertTrue(e20 / e40 > 3.5 && e40 / e80 > 3.5, "errors " + e20 + ", " + e40 + ", " + e80);
    assertTrue(e80 < 0.005, "error " + e80);
    assertTrue(e40 < odeError("euler", 80) / 3, "Heun with 79 evaluations beats Euler with 80");
  }

  @Test
  void dpmSolverTwoMultistepBeatsDdimByFarAtEqualEvaluations() {
    double dpm20 = odeError("dpm++2m", 20);
    double dpm40 = odeError("dpm++2m", 40);
    assertTrue(dpm20 < odeError("ddim", 20) / 3, "DPM-Solver++(2M) 20 steps: " + dpm20);
    assertTrue(dpm40 < odeError("ddim", 40) / 10, "DPM-Solver++(2M) 40 steps: " + dpm40);
    assertTrue(dpm40 < 0.005, "error " + dpm40);
  }

  @Test
  void evaluationCountsMatchEachMethod() {
    NoiseSchedule s = LINEAR;
    for (int n : new int[] {1, 2, 7}) {
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        ImageNoise noise = ImageNoise.consecutive(0, 2);
        Tensor xT = noise.next(1, 2, 2);
        double[] sigmas = KarrasSigmas.of(s, n);
        Counting heun = new Counting(new GaussianDenoiser(s, MU, SD, Prediction.EPS));
        Sample.heun(heun, s, xT, sigmas, false);
        assertEquals(2 * n - 1, heun.calls, "Heun, " + n + " steps");
        Counting euler = new Counting(new GaussianDenoiser(s, MU, SD, Prediction.EPS));
        Sample.euler(euler, s, xT, sigmas, false);
        assertEquals(n, euler.calls, "Euler, " + n + " steps");
        Counting ancestral = new Counting(new GaussianDenoiser(s, MU, SD, Prediction.EPS));
        Sample.eulerA(ancestral, s, xT, noise, sigmas, 1.0, false);
        assertEquals(n, ancestral.calls, "Euler a, " + n + " steps");
        Counting dpm = new Counting(new GaussianDenoiser(s, MU, SD, Prediction.EPS));
        int[] steps = {0};
        Sample.dpm(dpm, s, xT, Timesteps.TRAILING.select(1000, n), 2, false, i -> steps[0]++);
        assertEquals(n, dpm.calls, "DPM-Solver++, " + n + " steps");
        assertEquals(n, steps[0], "DPM-Solver++ progress callbacks");
      }
    }
  }

  @Test
  void eulerAncestralWithEtaZeroIsEuler() {
    Denoiser d = new GaussianDenoiser(LINEAR, MU, SD, Prediction.V);
    double[] sigmas = KarrasSigmas.of(LINEAR, 12);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      ImageNoise noise = ImageNoise.consecutive(4, 8);
      Tensor xT = noise.next(1, 2, 2);
      float[] euler = Torch.toFloats(Sample.euler(d, LINEAR, xT, sigmas, false));
      float[] ancestral = Torch.toFloats(Sample.eulerA(d, LINEAR, xT, noise, sigmas, 0.0, false));
      assertEquals(0.0, TestTorch.maxAbsDiff(euler, ancestral), 1e-6);
    }
  }

  private static void assertGaussian(float[] v, String what) {
    double[] ms = GaussianDenoiser.meanSd(v);
    assertEquals(MU, ms[0], 0.03, what + " mean");
    assertEquals(SD, ms[1], 0.03, what + " sd");
  }

  /**
   * Steps per sampler: the second-order solvers are within 0.03 at 30 (DPM-Solver++) and 60 (Heun:
   * the cosine schedule's sigma_max of 2e4 spreads Karras' levels thin) steps; first-order Euler
   * needs 120 (cosine: sd 0.40 at 30, 0.45 at 60), and ancestral steps, which plug E[x0 | x] into the
   * posterior and drop Var[x0 | x], need still more, like DDPM (cosine: sd 0.33 at 30, 0.44 at 120).
   */
  @ParameterizedTest
  @EnumSource(Prediction.class)
  void everySamplerRecoversTheGaussianWithTheExactDenoiser(Prediction p) {
    for (BetaSchedule kind : new BetaSchedule[] {BetaSchedule.LINEAR, BetaSchedule.COSINE}) {
      NoiseSchedule s = new NoiseSchedule(kind, 1000, 1e-4, 0.02);
      Denoiser d = new GaussianDenoiser(s, MU, SD, p);
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        ImageNoise noise = ImageNoise.consecutive(0, 2048);
        Tensor xT = noise.next(1, 2, 2);
        String at = "/" + p + "/" + kind;
        // trailing, like diffusers' DPM-Solver default; leading visits t = 0, and the 2M step onto it
        // (step ratio r ~ 0.2) overshoots: sd 0.57 with 30 steps
        assertGaussian(Torch.toFloats(Sample.dpm(d, s, xT, Timesteps.TRAILING.select(1000, 30), 2, false)), "DPM-Solver++(2M)" + at);
        assertGaussian(Torch.toFloats(Sample.heun(d, s, xT, KarrasSigmas.of(s, 60), false)), "Heun" + at);
        assertGaussian(Torch.toFloats(Sample.euler(d, s, xT, KarrasSigmas.of(s, 120), false)), "Euler" + at);
        assertGaussian(Torch.toFloats(Sample.eulerA(d, s, xT, noise, KarrasSigmas.of(s, 400), 1.0, false)), "Euler a" + at);
      }
    }
  }
}
