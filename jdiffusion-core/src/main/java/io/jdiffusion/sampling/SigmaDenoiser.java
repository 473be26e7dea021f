package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * A VP-trained {@link Denoiser} seen in the sigma space of Karras et al. 2022 (EDM, Sec. 2 and
 * Table 1's VP column): x = x_vp / sqrt(alphaBar) and sigma = sqrt((1 - alphaBar)/alphaBar), so that
 * x = x0 + sigma eps. {@link #x0} is EDM's D(x; sigma).
 *
 * <p>The network runs at x_vp = x / sqrt(1 + sigma^2) (diffusers' {@code scale_model_input}) and at
 * the path's timestep for that sigma.
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

  /** D(x; sigma): the clean-image estimate at x = x0 + sigma eps, sigma &gt; 0, the network at timestep t. */
  Tensor x0(Tensor x, double sigma, double t) {
    double a = 1 / Math.sqrt(1 + sigma * sigma); // sqrt(alphaBar)
    Tensor xVp = x.div(Torch.s(Math.sqrt(1 + sigma * sigma)));
    return Estimate.at(d, xVp, t, a, sigma * a, clip).x0();
  }

  /** D(x; sigma) at the timestep whose interpolated log-sigma is sigma ({@link NoiseSchedule#timestepAt}). */
  Tensor x0(Tensor x, double sigma) {
    return x0(x, sigma, s.timestepAt(sigma));
  }
}
