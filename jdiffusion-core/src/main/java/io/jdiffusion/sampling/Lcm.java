package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Multistep consistency sampling of latent consistency models (Luo et al. 2023, Algorithm 1; Song et
 * al. 2023, Algorithm 1), as diffusers' LCMScheduler: at each point the consistency function
 *
 * <pre>f(x_t, t) = c_skip(t) x_t + c_out(t) x0(x_t, t),  c_skip = s_d^2 / ((k t)^2 + s_d^2),
 *                                                  c_out = k t / sqrt((k t)^2 + s_d^2)</pre>
 *
 * (s_d = 0.5, k the timestep scaling) maps x_t to the clean image, which is noised again to the next
 * point: x_p = sqrt(alphaBar_p) f + sqrt(1 - alphaBar_p) z; the last step returns f. The path takes N of
 * the distillation schedule's timesteps t_j = j (T // M) - 1, j = M .. 1 (M original steps), at evenly
 * spaced indices; so N is at most M and the spacing setting does not apply.
 */
public final class Lcm implements Sampler {
  /** EDM's sigma_data, fixed at 0.5 by diffusers. */
  public static final double SIGMA_DATA = 0.5;

  /**
   * @param originalSteps M, the step count of the distillation schedule (diffusers' original_inference_steps)
   * @param timestepScaling k (diffusers' timestep_scaling)
   */
  public record Settings(int originalSteps, double timestepScaling) {
    public Settings {
      if (originalSteps < 1 || !(timestepScaling > 0) || !Double.isFinite(timestepScaling)) {
        throw new IllegalArgumentException("LCM needs original_inference_steps >= 1 and timestep_scaling > 0, got "
            + originalSteps + " and " + timestepScaling);
      }
    }

    /** diffusers' defaults: 50 original steps, scaling 10. */
    public static Settings defaults() {
      return new Settings(50, 10);
    }
  }

  private final Traits traits;
  private final Settings settings;

  public Lcm(String name, Settings settings) {
    this.traits = Traits.of(name, Grid.TIMESTEPS);
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public boolean usesSpacing() {
    return false;
  }

  @Override
  public boolean deterministic(double eta) {
    return false;
  }

  @Override
  public int defaultSteps(int trainSteps) {
    return 4;
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    int m = settings.originalSteps();
    if (m > s.steps()) {
      throw new IllegalArgumentException("lcm's original_inference_steps " + m + " is more than the model's "
          + s.steps() + " timesteps");
    }
    if (steps > m) {
      throw new IllegalArgumentException("lcm takes at most " + m + " steps (its original_inference_steps), got "
          + steps);
    }
    int k = s.steps() / m;
    int[] t = new int[steps];
    double stride = (double) m / steps; // numpy.linspace(0, M, N, endpoint=False)
    for (int i = 0; i < steps; i++) {
      int index = (int) Math.floor(i * stride);
      t[i] = (m - index) * k - 1;
    }
    return NoisePath.timesteps(s, t);
  }

  @Override
  public Tensor step(Step step) {
    NoiseSchedule s = step.schedule();
    int t = step.timestep();
    double scaled = t * settings.timestepScaling();
    double cSkip = SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
    double cOut = scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
    Tensor f = step.estimate().x0().mul(Torch.s(cOut)).add(step.x().mul(Torch.s(cSkip)));
    if (step.last()) {
      return f;
    }
    double abP = s.alphaBar(step.nextTimestep());
    return f.mul(Torch.s(Math.sqrt(abP))).add(step.z().mul(Torch.s(Math.sqrt(1 - abP))));
  }
}
