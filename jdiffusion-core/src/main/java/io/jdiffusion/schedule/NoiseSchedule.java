package io.jdiffusion.schedule;

/**
 * The discrete forward process of Ho et al. 2020, all coefficients precomputed once in double
 * precision. Indices are 0-based: index t in [0, T) is the paper's step t+1, and {@code alphaBar(t)}
 * is the paper's alphaBar_{t+1}.
 *
 * <ul>
 *   <li>alpha_t = 1 - beta_t, alphaBar_t = prod_{s<=t} alpha_s (eq. 4's coefficient)
 *   <li>q(x_t | x_0) = N(sqrt(alphaBar_t) x_0, (1 - alphaBar_t) I) (eq. 4)
 *   <li>q(x_{t-1} | x_t, x_0) = N(c0_t x_0 + ct_t x_t, betaTilde_t I) with c0_t =
 *       sqrt(alphaBar_{t-1}) beta_t / (1 - alphaBar_t), ct_t = sqrt(alpha_t)(1 - alphaBar_{t-1}) /
 *       (1 - alphaBar_t), betaTilde_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t (eqs. 6-7)
 *   <li>SNR_t = alphaBar_t / (1 - alphaBar_t) (Kingma et al. 2021)
 * </ul>
 *
 * Immutable; accessors copy nothing and return single values.
 */
public final class NoiseSchedule {
  private final BetaSchedule kind;
  private final double betaStart;
  private final double betaEnd;
  private final double[] beta;
  private final double[] alphaBar;

  /**
   * @param kind spacing of the betas
   * @param steps T, the number of diffusion steps (default 1000)
   * @param betaStart beta at the first step (linear default 1e-4)
   * @param betaEnd beta at the last step (linear default 0.02)
   */
  public NoiseSchedule(BetaSchedule kind, int steps, double betaStart, double betaEnd) {
    if (steps < 1) {
      throw new IllegalArgumentException("T must be >= 1, got " + steps);
    }
    if (kind != BetaSchedule.COSINE && !(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
      throw new IllegalArgumentException(
          "need 0 < betaStart <= betaEnd < 1, got " + betaStart + " .. " + betaEnd);
    }
    this.kind = kind;
    this.betaStart = betaStart;
    this.betaEnd = betaEnd;
    this.beta = kind.betas(steps, betaStart, betaEnd);
    this.alphaBar = new double[steps];
    double prod = 1;
    for (int t = 0; t < steps; t++) {
      prod *= 1 - beta[t];
      alphaBar[t] = prod;
    }
  }

  /** The DDPM default: linear 1e-4 .. 0.02 over T steps. */
  public static NoiseSchedule linear(int steps) {
    return new NoiseSchedule(BetaSchedule.LINEAR, steps, 1e-4, 0.02);
  }

  public BetaSchedule kind() {
    return kind;
  }

  public double betaStart() {
    return betaStart;
  }

  public double betaEnd() {
    return betaEnd;
  }

  /** T. */
  public int steps() {
    return beta.length;
  }

  public double beta(int t) {
    return beta[t];
  }

  public double alpha(int t) {
    return 1 - beta[t];
  }

  /** alphaBar_t = prod_{s <= t} (1 - beta_s). */
  public double alphaBar(int t) {
    return alphaBar[t];
  }

  /** alphaBar_{t-1}, with alphaBar_{-1} = 1 (x_0 is clean). */
  public double alphaBarPrev(int t) {
    return t == 0 ? 1.0 : alphaBar[t - 1];
  }

  public double sqrtAlphaBar(int t) {
    return Math.sqrt(alphaBar[t]);
  }

  public double sqrtOneMinusAlphaBar(int t) {
    return Math.sqrt(1 - alphaBar[t]);
  }

  /** Posterior mean coefficient of x_0: sqrt(alphaBar_{t-1}) beta_t / (1 - alphaBar_t) (eq. 7). */
  public double posteriorMeanCoefX0(int t) {
    return Math.sqrt(alphaBarPrev(t)) * beta[t] / (1 - alphaBar[t]);
  }

  /** Posterior mean coefficient of x_t: sqrt(alpha_t)(1 - alphaBar_{t-1}) / (1 - alphaBar_t) (eq. 7). */
  public double posteriorMeanCoefXt(int t) {
    return Math.sqrt(alpha(t)) * (1 - alphaBarPrev(t)) / (1 - alphaBar[t]);
  }

  /** betaTilde_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t (eq. 7); 0 at t = 0. */
  public double posteriorVariance(int t) {
    return (1 - alphaBarPrev(t)) / (1 - alphaBar[t]) * beta[t];
  }

  /**
   * log betaTilde_t with the t = 0 value (which is log 0) replaced by log betaTilde_1, as in Ho et
   * al.'s and diffusers' "posterior_log_variance_clipped".
   */
  public double posteriorLogVarianceClipped(int t) {
    if (beta.length == 1) {
      return Math.log(beta[0]);
    }
    return Math.log(posteriorVariance(t == 0 ? 1 : t));
  }

  /** SNR_t = alphaBar_t / (1 - alphaBar_t). */
  public double snr(int t) {
    return alphaBar[t] / (1 - alphaBar[t]);
  }

  /** sigma_t = sqrt((1 - alphaBar_t) / alphaBar_t), the noise level in the variance-exploding view. */
  public double sigma(int t) {
    return Math.sqrt((1 - alphaBar[t]) / alphaBar[t]);
  }

  /**
   * sigma at a fractional timestep t in [0, T-1]: log sigma interpolated linearly between the
   * discrete log sigma_i, as diffusers' EulerDiscreteScheduler does ({@code _sigma_to_t}, inverted).
   * Equals {@link #sigma(int)} at integers.
   */
  public double sigmaAt(double t) {
    checkContinuous(t);
    int i = (int) Math.floor(t);
    if (i >= beta.length - 1) {
      return sigma(beta.length - 1);
    }
    double w = t - i;
    return Math.exp((1 - w) * Math.log(sigma(i)) + w * Math.log(sigma(i + 1)));
  }

  /**
   * The inverse of {@link #sigmaAt}: the fractional timestep whose interpolated sigma is {@code
   * sigma}, clamped to [0, T-1] outside sigma_0 .. sigma_{T-1} (diffusers' {@code _sigma_to_t}).
   */
  public double timestepAt(double sigma) {
    if (!(sigma > 0)) {
      throw new IllegalArgumentException("sigma must be > 0, got " + sigma);
    }
    double logSigma = Math.log(sigma);
    if (logSigma <= Math.log(sigma(0))) {
      return 0;
    }
    int last = beta.length - 1;
    if (logSigma >= Math.log(sigma(last))) {
      return last;
    }
    int lo = 0; // invariant: log sigma_lo < logSigma < log sigma_hi (sigma increases with t)
    int hi = last;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (Math.log(sigma(mid)) <= logSigma) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double a = Math.log(sigma(lo));
    double b = Math.log(sigma(hi));
    return lo + (logSigma - a) / (b - a);
  }

  /**
   * alphaBar at a fractional timestep, consistent with {@link #sigmaAt}: 1 / (1 + sigma(t)^2);
   * exactly {@link #alphaBar(int)} at integers.
   */
  public double alphaBarAt(double t) {
    checkContinuous(t);
    if (t == Math.rint(t)) {
      return alphaBar[(int) t];
    }
    double sigma = sigmaAt(t);
    return 1 / (1 + sigma * sigma);
  }

  private void checkContinuous(double t) {
    if (!(t >= 0 && t <= beta.length - 1)) {
      throw new IllegalArgumentException("timestep must be in [0, " + (beta.length - 1) + "], got " + t);
    }
  }
}
