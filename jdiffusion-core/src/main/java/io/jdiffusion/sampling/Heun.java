package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Heun's second-order method on the probability-flow ODE in sigma space, Algorithm 1 of Karras et
 * al. 2022 (EDM) with sigma(t) = t, s(t) = 1, as diffusers' HeunDiscreteScheduler:
 *
 * <pre>d_i = (x_i - D(x_i; sigma_i)) / sigma_i
 * x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i                       (Euler step)
 * if sigma_{i+1} != 0:
 *   d'_i = (x_{i+1} - D(x_{i+1}; sigma_{i+1})) / sigma_{i+1}
 *   x_{i+1} = x_i + (sigma_{i+1} - sigma_i) (d_i + d'_i) / 2         (trapezoidal correction)</pre>
 *
 * The last step, to sigma = 0, is a plain Euler step, so N steps take 2N - 1 network evaluations.
 */
public final class Heun implements Sampler {
  private final Traits traits;
  private final boolean karras;

  /** @param karras walk Karras et al.'s sigmas rather than the spaced timesteps' */
  public Heun(String name, boolean karras) {
    this.traits = Traits.of(name, Grid.SIGMAS).withSpacing(Timesteps.LINSPACE);
    this.karras = karras;
  }

  @Override
  public int evaluations(int steps) {
    return 2 * steps - 1;
  }

  /** Whether this variant walks Karras sigmas. */
  public boolean karras() {
    return karras;
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    return KarrasSigmas.spacedPath(s, steps, run, karras);
  }

  @Override
  public Tensor step(Step step) {
    double sigma = step.sigma();
    double next = step.nextSigma();
    Tensor d = Step.toD(step.x(), sigma, step.denoised());
    Tensor euler = step.x().add(d.mul(Torch.s(next - sigma)));
    if (next == 0) {
      return euler;
    }
    Tensor dNext = Step.toD(euler, next, step.denoisedAt(euler, step.index() + 1));
    return step.x().add(d.add(dNext).mul(Torch.s((next - sigma) / 2)));
  }
}
