package io.jdiffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NoiseScheduleTest {

  @ParameterizedTest
  @EnumSource(BetaSchedule.class)
  void alphaBarIsStrictlyDecreasingInsideZeroOne(BetaSchedule kind) {
    NoiseSchedule s = new NoiseSchedule(kind, 1000, 1e-4, 0.02);
    double prev = 1.0;
    for (int t = 0; t < s.steps(); t++) {
      double ab = s.alphaBar(t);
      assertTrue(ab > 0 && ab < 1, kind + " alphaBar(" + t + ") = " + ab);
      assertTrue(ab < prev, kind + " not decreasing at " + t);
      assertTrue(s.beta(t) > 0 && s.beta(t) <= 0.999, kind + " beta(" + t + ")");
      prev = ab;
    }
  }

  @Test
  void linearEndpointsAreTheDdpmValues() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    assertEquals(1e-4, s.beta(0), 1e-15);
    assertEquals(0.02, s.beta(999), 1e-15);
    assertEquals(1e-4 + (0.02 - 1e-4) / 999, s.beta(1), 1e-15);
    // alphaBar_T of the DDPM schedule is about 4.04e-5 (Ho et al.: "L_T ~ 1e-5")
    assertEquals(4.035e-5, s.alphaBar(999), 0.01e-5);
  }

  @Test
  void cosineMatchesTheClosedFormAndClipsTheLastBeta() {
    int T = 1000;
    NoiseSchedule s = new NoiseSchedule(BetaSchedule.COSINE, T, 0, 0);
    double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
    for (int t : new int[] {0, 1, 250, 500, 900}) {
      double f = Math.pow(Math.cos(((t + 1.0) / T + 0.008) / 1.008 * Math.PI / 2), 2);
      assertEquals(f / f0, s.alphaBar(t), 1e-9, "alphaBar at " + t);
    }
    assertEquals(0.999, s.beta(T - 1), 1e-12); // f(T) = 0: the clip at 0.999 applies
    assertTrue(s.beta(0) < 1e-4, "cosine starts with a tiny beta: " + s.beta(0));
    assertEquals(0.5, s.alphaBar(T / 2 - 1), 0.02); // cos^2(pi/4) ~ 0.5 at mid-way
  }

  @Test
  void quadraticAndSigmoidFollowTheirFormulas() {
    NoiseSchedule q = new NoiseSchedule(BetaSchedule.QUADRATIC, 3, 1e-4, 0.0144);
    assertEquals(1e-4, q.beta(0), 1e-15);
    assertEquals(Math.pow((0.01 + 0.12) / 2, 2), q.beta(1), 1e-15);
    assertEquals(0.0144, q.beta(2), 1e-15);
    NoiseSchedule g = new NoiseSchedule(BetaSchedule.SIGMOID, 3, 1e-4, 0.02);
    assertEquals(1e-4 + (0.02 - 1e-4) * 0.5, g.beta(1), 1e-15); // sigmoid(0) = 1/2
    assertEquals(1e-4 + (0.02 - 1e-4) / (1 + Math.exp(6)), g.beta(0), 1e-15);
  }

  @Test
  void posteriorCoefficientsMatchHandDerivedValues() {
    // betas 0.1, 0.2: alphaBar = 0.9, 0.72
    NoiseSchedule s = new NoiseSchedule(BetaSchedule.LINEAR, 2, 0.1, 0.2);
    assertEquals(0.72, s.alphaBar(1), 1e-12);
    assertEquals(Math.sqrt(0.9) * 0.2 / 0.28, s.posteriorMeanCoefX0(1), 1e-12);
    assertEquals(Math.sqrt(0.8) * 0.1 / 0.28, s.posteriorMeanCoefXt(1), 1e-12);
    assertEquals(0.1 / 0.28 * 0.2, s.posteriorVariance(1), 1e-12);
    // at t = 0 the posterior is the point x0
    assertEquals(1.0, s.posteriorMeanCoefX0(0), 1e-12);
    assertEquals(0.0, s.posteriorMeanCoefXt(0), 1e-12);
    assertEquals(0.0, s.posteriorVariance(0), 1e-15);
    assertEquals(Math.log(0.1 / 0.28 * 0.2), s.posteriorLogVarianceClipped(0), 1e-12);
    assertEquals(0.72 / 0.28, s.snr(1), 1e-12);
  }

  @ParameterizedTest
  @EnumSource(BetaSchedule.class)
  void posteriorIsConsistentWithTheMarginals(BetaSchedule kind) {
    // E[x_{t-1}|x0] = c0 + ct sqrt(ab_t) must equal sqrt(ab_{t-1}); the variances must add up too.
    NoiseSchedule s = new NoiseSchedule(kind, 1000, 1e-4, 0.02);
    for (int t = 1; t < 1000; t += 37) {
      double c0 = s.posteriorMeanCoefX0(t);
      double ct = s.posteriorMeanCoefXt(t);
      assertEquals(s.sqrtAlphaBar(t - 1), c0 + ct * s.sqrtAlphaBar(t), 1e-12);
      assertEquals(1 - s.alphaBar(t - 1), ct * ct * (1 - s.alphaBar(t)) + s.posteriorVariance(t), 1e-12);
    }
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new NoiseSchedule(BetaSchedule.LINEAR, 0, 1e-4, 0.02));
    assertThrows(IllegalArgumentException.class, () -> new NoiseSchedule(BetaSchedule.LINEAR, 10, 0.5, 0.1));
    assertThrows(IllegalArgumentException.class, () -> BetaSchedule.parse("exponential"));
    assertEquals(BetaSchedule.COSINE, BetaSchedule.parse("Cosine"));
  }
}
