package io.jdiffusion.sampling;

import io.jdiffusion.schedule.NoiseSchedule;

/**
 * The N + 1 points a sampler visits in N steps, from the noisiest to the end: at point i the
 * network's timestep t_i (0-based, possibly fractional) and the noise level sigma_i = sqrt((1 -
 * alphaBar)/alphaBar) of Karras et al. 2022. The last point is where the run ends: t = -1 (no network
 * evaluation) and sigma = 0 for the clean image, or a small sigma (diffusers' final_sigmas_type
 * "sigma_min").
 *
 * <p>DDIM and PNDM step from t_i to {@code prev[i]} = t_i - T // N, which diffusers takes whatever the
 * spacing (with linspace spacing it is not t_{i+1}); other paths have no {@code prev} and step to the
 * next point.
 *
 * @param t N + 1 timesteps, the last -1
 * @param sigma N + 1 noise levels, the last &gt;= 0
 * @param prev N timesteps each step lands on (negative: past the schedule's start), or null
 */
public record NoisePath(double[] t, double[] sigma, int[] prev) {

  public NoisePath {
    if (t.length < 2 || t.length != sigma.length || t[t.length - 1] != -1 || !(sigma[sigma.length - 1] >= 0)) {
      throw new IllegalArgumentException("a noise path needs N + 1 >= 2 points ending at t = -1");
    }
    if (prev != null && prev.length != t.length - 1) {
      throw new IllegalArgumentException("a noise path needs one landing timestep per step");
    }
  }

  /** A path whose steps land on the next point. */
  public NoisePath(double[] t, double[] sigma) {
    this(t, sigma, null);
  }

  /** The same points, each step i landing on t_i - stride (DDIM's and PNDM's t - T // N). */
  public NoisePath landingBy(int stride) {
    int[] p = new int[t.length - 1];
    for (int i = 0; i < p.length; i++) {
      p[i] = (int) t[i] - stride;
    }
    return new NoisePath(t, sigma, p);
  }

  /** The timestep step i lands on: {@code prev[i]}, else t_{i+1} (-1 for the end). */
  public int landing(int i) {
    return prev != null ? prev[i] : timestep(i + 1);
  }

  /**
   * The last {@code keep} steps of this path: where image-to-image starts part way (SDEdit; diffusers'
   * {@code timesteps[t_start:]}).
   */
  public NoisePath tail(int keep) {
    int n = steps();
    if (keep < 1 || keep > n) {
      throw new IllegalArgumentException("a path of " + n + " steps has no tail of " + keep);
    }
    int from = n - keep;
    return new NoisePath(java.util.Arrays.copyOfRange(t, from, t.length),
        java.util.Arrays.copyOfRange(sigma, from, sigma.length),
        prev == null ? null : java.util.Arrays.copyOfRange(prev, from, prev.length));
  }

  /** The path over given descending discrete timesteps, then the clean image. */
  public static NoisePath timesteps(NoiseSchedule s, int[] descending) {
    double[] t = new double[descending.length + 1];
    double[] sigma = new double[descending.length + 1];
    for (int i = 0; i < descending.length; i++) {
      if (descending[i] < 0 || descending[i] >= s.steps()) {
        throw new IllegalArgumentException("timestep " + descending[i] + " is outside the model's 0 .. " + (s.steps() - 1)
            + " (too many steps for this spacing and steps offset)");
      }
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

  /**
   * The path over given descending (possibly fractional) timesteps with sigma interpolated linearly
   * between the schedule's discrete sigmas ({@code np.interp} in diffusers' EulerDiscreteScheduler),
   * then {@code last}.
   */
  public static NoisePath interpolated(NoiseSchedule s, double[] descending, double last) {
    double[] t = new double[descending.length + 1];
    double[] sigma = new double[descending.length + 1];
    for (int i = 0; i < descending.length; i++) {
      t[i] = descending[i];
      sigma[i] = interp(s, descending[i]);
    }
    t[descending.length] = -1;
    sigma[descending.length] = last;
    return new NoisePath(t, sigma);
  }

  /** numpy.interp(t, arange(T), sigmas): linear in sigma, clamped at the ends. */
  static double interp(NoiseSchedule s, double t) {
    int last = s.steps() - 1;
    if (t <= 0) {
      return s.sigma(0);
    }
    if (t >= last) {
      return s.sigma(last);
    }
    int i = (int) Math.floor(t);
    double w = t - i;
    if (w == 0) {
      return s.sigma(i);
    }
    double lo = s.sigma(i);
    double hi = s.sigma(i + 1);
    return lo + (hi - lo) * w; // numpy's interp: slope * (x - xp[j]) + fp[j]
  }

  /** The number of steps N. */
  public int steps() {
    return t.length - 1;
  }

  /** The discrete timestep at point i (-1 for the end). */
  public int timestep(int i) {
    return (int) t[i];
  }

  /** The same path with its last sigma replaced (diffusers' final_sigmas_type). */
  public NoisePath endingAt(double lastSigma) {
    double[] s = sigma.clone();
    s[s.length - 1] = lastSigma;
    return new NoisePath(t, s, prev);
  }
}
