package io.jdiffusion.sampling;

import io.jdiffusion.schedule.NoiseSchedule;

/**
 * The noise levels of Karras et al. 2022 (EDM), eq. 5:
 *
 * <pre>sigma_i = (sigma_max^(1/rho) + i/(N-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,  i = 0 .. N-1
 * sigma_N = 0</pre>
 *
 * with rho = 7 and sigma_min, sigma_max the smallest and largest discrete sigma of the schedule
 * (sigma_0 and sigma_{T-1}, as in diffusers' {@code use_karras_sigmas}).
 */
public final class KarrasSigmas {
  /** EDM's rho: steps concentrate near sigma_min as rho grows. */
  public static final double RHO = 7;

  private KarrasSigmas() {}

  /** N + 1 levels for N steps, from the schedule's sigma_max down to its sigma_min, then 0. */
  public static double[] of(NoiseSchedule s, int steps) {
    return of(s.sigma(0), s.sigma(s.steps() - 1), steps, RHO);
  }

  /** N + 1 levels for N steps: eq. 5 for i &lt; N, and sigma_N = 0. */
  public static double[] of(double sigmaMin, double sigmaMax, int steps, double rho) {
    if (steps < 1) {
      throw new IllegalArgumentException("number of sampling steps must be >= 1, got " + steps);
    }
    if (!(sigmaMin > 0 && sigmaMin <= sigmaMax) || !(rho > 0)) {
      throw new IllegalArgumentException(
          "need 0 < sigma_min <= sigma_max and rho > 0, got " + sigmaMin + ", " + sigmaMax + ", " + rho);
    }
    double minInvRho = Math.pow(sigmaMin, 1 / rho);
    double maxInvRho = Math.pow(sigmaMax, 1 / rho);
    double[] sigmas = new double[steps + 1];
    for (int i = 0; i < steps; i++) {
      double frac = steps == 1 ? 0 : i * (1.0 / (steps - 1)); // numpy.linspace(0, 1, N)
      sigmas[i] = Math.pow(maxInvRho + frac * (minInvRho - maxInvRho), rho);
    }
    sigmas[steps] = 0;
    return sigmas;
  }

  /**
   * The path of diffusers' sigma schedulers (Euler, Euler a, Heun, LMS): the spaced timesteps'
   * sigmas, interpolated linearly ({@link NoisePath#interpolated}), or with {@code karras} eq. 5 between
   * the smallest and largest of them, each at its fractional timestep; then 0. With linspace spacing the
   * Karras sigmas span sigma_0 .. sigma_{T-1}, k-diffusion's {@code get_sigmas_karras}.
   */
  public static NoisePath spacedPath(NoiseSchedule s, int steps, io.jdiffusion.sampling.SamplerSettings run,
      boolean karras) {
    double[] t = run.spacing().selectContinuous(s.steps(), steps, run.stepsOffset());
    NoisePath spaced = NoisePath.interpolated(s, t, 0);
    if (!karras) {
      return spaced;
    }
    double[] sg = spaced.sigma();
    return NoisePath.sigmas(s, of(sg[steps - 1], sg[0], steps, RHO));
  }
}
