package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Euler's method on the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma in sigma space
 * (Karras et al. 2022, eq. 4 with sigma(t) = t, s(t) = 1; Algorithm 1 without its second-order
 * correction), as diffusers' EulerDiscreteScheduler:
 *
 * <pre>d_i = (x_i - D(x_i; sigma_i)) / sigma_i
 * x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i</pre>
 *
 * One network evaluation per step; the last step goes to sigma = 0 and returns D(x; sigma_{N-1}).
 * The path: the spaced timesteps' sigmas, or Karras sigmas ({@link KarrasSigmas#spacedPath}).
 */
public final class Euler implements Sampler {
  private final Traits traits;
  private final boolean karras;

  /** @param karras walk Karras et al.'s sigmas (diffusers' use_karras_sigmas) */
  public Euler(String name, boolean karras) {
    this.traits = Traits.of(name, Grid.SIGMAS).withSpacing(Timesteps.LINSPACE);
    this.karras = karras;
  }

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
    Tensor d = Step.toD(step.x(), step.sigma(), step.denoised());
    return step.x().add(d.mul(Torch.s(step.nextSigma() - step.sigma())));
  }
}
