package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Ancestral Euler ("Euler a", k-diffusion's {@code sample_euler_ancestral}, diffusers'
 * EulerAncestralDiscreteScheduler): each step splits sigma_{i+1} into a deterministic part
 * sigma_down, reached by an Euler step, and fresh noise of size sigma_up:
 *
 * <pre>sigma_up   = min(sigma_{i+1}, eta sqrt(sigma_{i+1}^2 (sigma_i^2 - sigma_{i+1}^2) / sigma_i^2))
 * sigma_down = sqrt(sigma_{i+1}^2 - sigma_up^2)
 * x_{i+1}    = x_i + (sigma_down - sigma_i) (x_i - D(x_i; sigma_i)) / sigma_i + sigma_up z</pre>
 *
 * With eta = 1 (diffusers' only choice) this is the DDPM posterior q(x_{i+1} | x_i, x0 = D) written in
 * sigma space; eta = 0 is {@link Euler}. One network evaluation per step; no noise on the last step.
 */
public final class EulerAncestral implements Sampler {
  private final Traits traits;
  private final boolean karras;

  /** @param karras walk Karras et al.'s sigmas rather than the spaced timesteps' */
  public EulerAncestral(String name, boolean karras) {
    this.traits = Traits.of(name, Grid.SIGMAS).withEta(1).withSpacing(Timesteps.LINSPACE);
    this.karras = karras;
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
    double eta = step.settings().eta();
    double up = Math.min(next, eta * Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)));
    double down = Math.sqrt(next * next - up * up);
    Tensor d = Step.toD(step.x(), sigma, step.denoised());
    Tensor moved = step.x().add(d.mul(Torch.s(down - sigma)));
    return up > 0 ? moved.add(step.z().mul(Torch.s(up))) : moved;
  }
}
