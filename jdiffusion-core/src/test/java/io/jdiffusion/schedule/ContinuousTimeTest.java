package io.jdiffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The schedule at fractional timesteps: log-sigma interpolation and its inverse. */
class ContinuousTimeTest {

  @ParameterizedTest
  @EnumSource(BetaSchedule.class)
  void integersGiveTheDiscreteValuesAndTheInverseRoundTrips(BetaSchedule kind) {
    NoiseSchedule s = new NoiseSchedule(kind, 1000, 1e-4, 0.02);
    for (int t = 0; t < 999; t += 37) {
      assertEquals(s.sigma(t), s.sigmaAt(t), 1e-12 * s.sigma(t));
      assertEquals(s.alphaBar(t), s.alphaBarAt(t), 0.0);
      assertEquals(t, s.timestepAt(s.sigma(t)), 1e-9);
      double frac = t + 0.37;
      assertEquals(frac, s.timestepAt(s.sigmaAt(frac)), 1e-9);
    }
  }

  @Test
  void betweenIntegersLogSigmaIsLinearAndAlphaBarMonotone() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    // halfway: the geometric mean of the neighbours
    assertEquals(Math.sqrt(s.sigma(10) * s.sigma(11)), s.sigmaAt(10.5), 1e-14);
    double quarter = Math.exp(0.75 * Math.log(s.sigma(500)) + 0.25 * Math.log(s.sigma(501)));
    assertEquals(quarter, s.sigmaAt(500.25), 1e-12);
    double prev = 1;
    for (double t = 0; t <= 999; t += 0.1) {
      double ab = s.alphaBarAt(t);
      assertTrue(ab < prev && ab > 0, "alphaBar not decreasing at t = " + t);
      double sigma = s.sigmaAt(t);
      assertEquals(1 / (1 + sigma * sigma), ab, 1e-12);
      prev = ab;
    }
  }

  @Test
  void sigmasOutsideTheScheduleClampAndBadInputThrows() {
    NoiseSchedule s = NoiseSchedule.linear(1000);
    assertEquals(0.0, s.timestepAt(s.sigma(0) / 2));
    assertEquals(999.0, s.timestepAt(s.sigma(999) * 2));
    assertThrows(IllegalArgumentException.class, () -> s.timestepAt(0));
    assertThrows(IllegalArgumentException.class, () -> s.sigmaAt(-0.5));
    assertThrows(IllegalArgumentException.class, () -> s.alphaBarAt(999.5));
  }
}
