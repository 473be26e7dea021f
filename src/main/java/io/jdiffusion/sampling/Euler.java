package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * Euler's method on the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma in sigma space
 * (Karras et al. 2022, eq. 4 with sigma(t) = t, s(t) = 1; Algorithm 1 without its second-order
 * correction):
 *
 * <pre>d_i = (x_i - D(x_i; sigma_i)) / sigma_i
 * x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i</pre>
 *
 * One network evaluation per step; the last step goes to sigma = 0 and returns D(x; sigma_{N-1}).
 */
public final class Euler implements Sampler {
  private static final Traits TRAITS = Traits.of("euler", Grid.KARRAS_SIGMAS);

  Euler() {}

  @Override
  public Traits traits() {
    return TRAITS;
  }

  @Override
  public Tensor step(Step step) {
    Tensor d = Step.toD(step.x(), step.sigma(), step.denoised());
    return step.x().add(d.mul(Torch.s(step.nextSigma() - step.sigma())));
  }
}
