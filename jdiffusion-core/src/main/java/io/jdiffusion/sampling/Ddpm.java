package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;

/**
 * Ancestral sampling of Ho et al. 2020 (Algorithm 2), over any descending subset of timesteps.
 *
 * <p>From t to the previous visited step p, with alphaBar' = alphaBar_t / alphaBar_p and beta' = 1 -
 * alphaBar' (equal to beta_t when every step is visited):
 *
 * <pre>mu = sqrt(alphaBar_p) beta' / (1 - alphaBar_t) x0 + sqrt(alphaBar')(1 - alphaBar_p) / (1 - alphaBar_t) x_t
 * x_p = mu + sigma z,  sigma^2 = betaTilde' = (1 - alphaBar_p)/(1 - alphaBar_t) beta'  (FIXED_SMALL)
 *                      sigma^2 = beta'                                            (FIXED_LARGE)</pre>
 *
 * and no noise on the last step. As a sampler it follows diffusers' DDPMScheduler, which adds noise
 * whenever t &gt; 0: with trailing spacing the last step starts above 0 and gets sigma^2 = 1e-20
 * (FIXED_SMALL, clamped) or beta' (FIXED_LARGE) too.
 */
public final class Ddpm implements Sampler {
  private static final Traits TRAITS = Traits.of("ddpm", Grid.TIMESTEPS);

  Ddpm() {}

  /** The two variance choices of Ho et al. 2020, Sec. 3.2. */
  public enum Variance {
    /** sigma^2 = betaTilde_t, optimal for a deterministic x0. */
    FIXED_SMALL,
    /** sigma^2 = beta_t, optimal for x0 ~ N(0, I). */
    FIXED_LARGE;

    public static Variance parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown DDPM variance '" + s + "' (expected fixed_small or fixed_large)");
      }
    }
  }

  /**
   * One ancestral step from x_t with estimates e to timestep prev (-1 = the clean image, reached
   * without noise).
   */
  public static Tensor step(NoiseSchedule s, Tensor xt, Estimate e, int t, int prev, Variance variance,
      Supplier<Tensor> z) {
    double abT = s.alphaBar(t);
    double abP = prev >= 0 ? s.alphaBar(prev) : 1.0;
    double betaT = 1 - abT / abP;
    double c0 = Math.sqrt(abP) * betaT / (1 - abT);
    double ct = Math.sqrt(abT / abP) * (1 - abP) / (1 - abT);
    Tensor mean = e.x0().mul(Torch.s(c0)).add(xt.mul(Torch.s(ct)));
    if (prev < 0) {
      return mean;
    }
    return mean.add(z.get().mul(Torch.s(Math.sqrt(variance(abT, abP, variance)))));
  }

  /** sigma^2 from t to p: betaTilde' (FIXED_SMALL, at least 1e-20 as diffusers clamps it) or beta' (FIXED_LARGE). */
  private static double variance(double abT, double abP, Variance variance) {
    double betaT = 1 - abT / abP;
    return variance == Variance.FIXED_SMALL ? Math.max(1e-20, (1 - abP) / (1 - abT) * betaT) : betaT;
  }

  /**
   * One step of diffusers' DDPMScheduler: {@link #step(NoiseSchedule, Tensor, Estimate, int, int, Variance,
   * Supplier)}, with noise also onto the clean image when the step starts above t = 0.
   */
  private static Tensor diffusersStep(NoiseSchedule s, Tensor xt, Estimate e, int t, int prev, Variance variance,
      Supplier<Tensor> z) {
    Tensor x = step(s, xt, e, t, prev, variance, z);
    if (prev >= 0 || t <= 0) {
      return x;
    }
    return x.add(z.get().mul(Torch.s(Math.sqrt(variance(s.alphaBar(t), 1.0, variance)))));
  }

  /** All T training steps: the paper's sampler. */
  @Override
  public int defaultSteps(int trainSteps) {
    return trainSteps;
  }

  @Override
  public boolean deterministic(double eta) {
    return false;
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }

  @Override
  public Tensor step(Step step) {
    return diffusersStep(step.schedule(), step.x(), step.estimate(), step.timestep(), step.nextTimestep(),
        step.settings().variance(), step::z);
  }
}
