package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * A VP-trained {@link Denoiser} seen in the sigma space of Karras et al. 2022 (EDM, Sec. 2 and
 * Table 1's VP column): x = x_vp / sqrt(alphaBar) and sigma = sqrt((1 - alphaBar)/alphaBar), so that
 * x = x0 + sigma eps. {@link #x0} is EDM's D(x; sigma).
 *
 * <p>The network runs at x_vp = x / sqrt(1 + sigma^2) and at the continuous timestep whose
 * log-sigma interpolates the schedule's discrete log-sigmas ({@link NoiseSchedule#timestepAt}), as in
 * diffusers' EulerDiscreteScheduler.
 */
final class SigmaDenoiser {
  private final Denoiser d;
  private final NoiseSchedule s;
  private final boolean clip;

  /** @param clip clamp D(x; sigma) to [-1, 1] */
  SigmaDenoiser(Denoiser d, NoiseSchedule s, boolean clip) {
    this.d = d;
    this.s = s;
    this.clip = clip;
  }

  /** D(x; sigma): the clean-image estimate at x = x0 + sigma eps, sigma &gt; 0. */
  Tensor x0(Tensor x, double sigma) {
    double a = 1 / Math.sqrt(1 + sigma * sigma); // sqrt(alphaBar)
    Tensor xVp = x.mul(Torch.s(a));
    return Estimate.at(d, xVp, s.timestepAt(sigma), a, sigma * a, clip).x0();
  }

  /** The VE image x = x_T / sqrt(alphaBar) for a standard-normal VP draw x_T at noise level sigma. */
  static Tensor fromVp(Tensor xT, double sigma) {
    return xT.mul(Torch.s(Math.sqrt(1 + sigma * sigma)));
  }
}
