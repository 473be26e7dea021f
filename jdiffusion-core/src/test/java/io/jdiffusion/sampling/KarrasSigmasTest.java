package io.jdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.schedule.BetaSchedule;
import io.jdiffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KarrasSigmasTest {

  @ParameterizedTest
  @EnumSource(BetaSchedule.class)
  void endpointsComeFromTheScheduleAndTheLevelsDecrease(BetaSchedule kind) {
    NoiseSchedule s = new NoiseSchedule(kind, 1000, 1e-4, 0.02);
    double[] sigmas = KarrasSigmas.of(s, 25);
    assertEquals(26, sigmas.length);
    assertEquals(s.sigma(999), sigmas[0], 1e-9 * sigmas[0]);
    assertEquals(s.sigma(0), sigmas[24], 1e-9 * sigmas[24]);
    assertEquals(0.0, sigmas[25]);
    for (int i = 0; i < 25; i++) {
      assertTrue(sigmas[i + 1] < sigmas[i], kind + ": not decreasing at " + i);
    }
  }

  @Test
  void rootsOfTheLevelsAreEquallySpaced() {
    // Karras et al. eq. 5: sigma_i^(1/rho) is linear in i
    double[] sigmas = KarrasSigmas.of(0.002, 80, 18, 7);
    double step = Math.pow(sigmas[1], 1 / 7.0) - Math.pow(sigmas[0], 1 / 7.0);
    assertEquals((Math.pow(0.002, 1 / 7.0) - Math.pow(80, 1 / 7.0)) / 17, step, 1e-12);
    for (int i = 0; i + 1 < 18; i++) {
      assertEquals(step, Math.pow(sigmas[i + 1], 1 / 7.0) - Math.pow(sigmas[i], 1 / 7.0), 1e-12);
    }
    // EDM's defaults (generate.py: 18 steps, 0.002 .. 80, rho 7), eq. 5 evaluated in Python
    assertEquals(57.58598, sigmas[1], 1e-4);
    assertEquals(40.78557, sigmas[2], 1e-4);
  }

  @Test
  void oneStepGoesFromSigmaMaxToZeroAndBadInputThrows() {
    assertArrayEquals(new double[] {80, 0}, KarrasSigmas.of(0.002, 80, 1, 7), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> KarrasSigmas.of(0.002, 80, 0, 7));
    assertThrows(IllegalArgumentException.class, () -> KarrasSigmas.of(0, 80, 10, 7));
    assertThrows(IllegalArgumentException.class, () -> KarrasSigmas.of(2, 1, 10, 7));
  }
}
