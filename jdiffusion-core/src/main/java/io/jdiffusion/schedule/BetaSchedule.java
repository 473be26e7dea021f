package io.jdiffusion.schedule;

import java.util.Locale;

/** How the variances beta_1..beta_T of the forward process are spaced. */
public enum BetaSchedule {
  /** beta_t linear from betaStart to betaEnd (Ho et al. 2020: 1e-4 .. 0.02). */
  LINEAR,
  /**
   * alphaBar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), s = 0.008, and
   * beta_t = min(1 - alphaBar_t/alphaBar_{t-1}, 0.999) (Nichol &amp; Dhariwal 2021, eq. 17).
   */
  COSINE,
  /** beta_t = (linear from sqrt(betaStart) to sqrt(betaEnd))^2 (diffusers' "scaled_linear"). */
  QUADRATIC,
  /** beta_t = sigmoid(linear from -6 to 6) * (betaEnd - betaStart) + betaStart. */
  SIGMOID;

  /** Parses the lower-case name used in configs and on the command line. */
  public static BetaSchedule parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown beta schedule '" + s + "' (expected linear, cosine, quadratic or sigmoid)");
    }
  }

  /**
   * The T betas, in double precision.
   *
   * @param steps T
   * @param betaStart beta_1 (ignored by COSINE)
   * @param betaEnd beta_T (ignored by COSINE)
   */
  public double[] betas(int steps, double betaStart, double betaEnd) {
    double[] b = new double[steps];
    switch (this) {
      case LINEAR -> {
        for (int i = 0; i < steps; i++) {
          b[i] = betaStart + (betaEnd - betaStart) * frac(i, steps);
        }
      }
      case QUADRATIC -> {
        double s0 = Math.sqrt(betaStart);
        double s1 = Math.sqrt(betaEnd);
        for (int i = 0; i < steps; i++) {
          double s = s0 + (s1 - s0) * frac(i, steps);
          b[i] = s * s;
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < steps; i++) {
          double x = -6 + 12 * frac(i, steps);
          b[i] = betaStart + (betaEnd - betaStart) / (1 + Math.exp(-x));
        }
      }
      case COSINE -> {
        double f0 = cosineF(0, steps);
        for (int i = 0; i < steps; i++) {
          double abNext = cosineF(i + 1, steps) / f0;
          double abPrev = cosineF(i, steps) / f0;
          b[i] = Math.min(1 - abNext / abPrev, 0.999);
        }
      }
    }
    return b;
  }

  /** i / (n - 1), the position of step i on a linspace of n points (0 when n == 1). */
  private static double frac(int i, int n) {
    return n == 1 ? 0 : (double) i / (n - 1);
  }

  private static double cosineF(double t, int steps) {
    double s = 0.008;
    double c = Math.cos((t / steps + s) / (1 + s) * Math.PI / 2);
    return c * c;
  }
}
