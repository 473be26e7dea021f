package io.jdiffusion.sampling;

import io.jdiffusion.schedule.NoiseSchedule;

/**
 * The N + 1 points a sampler visits in N steps, from the noisiest to the clean image: at point i the
 * network's timestep t_i (0-based, possibly fractional) and the noise level sigma_i = sqrt((1 -
 * alphaBar)/alphaBar) of Karras et al. 2022. The last point is the clean image, t = -1 and sigma = 0.
 *
 * @param t N + 1 timesteps, decreasing, the last -1
 * @param sigma N + 1 noise levels, decreasing, the last 0
 */
public record NoisePath(double[] t, double[] sigma) {

  public NoisePath {
    if (t.length < 2 || t.length != sigma.length || t[t.length - 1] != -1 || sigma[sigma.length - 1] != 0) {
      throw new IllegalArgumentException("a noise path needs N + 1 >= 2 points ending at the clean image");
    }
  }

  /** The path over given descending discrete timesteps, then the clean image. */
  public static NoisePath timesteps(NoiseSchedule s, int[] descending) {
    double[] t = new double[descending.length + 1];
    double[] sigma = new double[descending.length + 1];
    for (int i = 0; i < descending.length; i++) {
      t[i] = descending[i];
      sigma[i] = s.sigma(descending[i]);
    }
    t[descending.length] = -1;
    return new NoisePath(t, sigma);
  }

  /** The path over N + 1 decreasing sigmas ending in 0 (e.g. {@link KarrasSigmas#of}), each at its timestep. */
  public static NoisePath sigmas(NoiseSchedule s, double[] sigmas) {
    double[] t = new double[sigmas.length];
    for (int i = 0; i + 1 < sigmas.length; i++) {
      t[i] = s.timestepAt(sigmas[i]);
    }
    t[sigmas.length - 1] = -1;
    return new NoisePath(t, sigmas.clone());
  }

  /** The number of steps N. */
  public int steps() {
    return t.length - 1;
  }

  /** The discrete timestep at point i (-1 for the clean image). */
  public int timestep(int i) {
    return (int) t[i];
  }
}
