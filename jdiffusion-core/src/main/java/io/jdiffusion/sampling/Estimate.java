package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * The denoiser's estimates of the clean image and of the noise at (x_t, t), converted by {@link
 * io.jdiffusion.diffusion.Prediction} whatever the network predicts.
 *
 * <p>When x0 is clipped to the data range, eps is re-derived from the clipped x0 so that the pair
 * still satisfies x_t = a x0 + b eps (eq. 4 of Ho et al. 2020):
 *
 * <pre>eps = (x_t - a clip(x0)) / b</pre>
 *
 * as denoising-diffusion-pytorch's DDIM sampler does ({@code rederive_pred_noise}; diffusers'
 * {@code use_clipped_model_output}). Without it DDIM moves x0 and the noise direction
 * inconsistently: under classifier-free guidance w &gt; 1, where the guided x0 leaves [-1, 1], that
 * over-saturates samples into white blobs. With it, DDIM with eta 0 equals DPM-Solver++ at first
 * order also when clipping is active.
 *
 * @param x0 clean-image estimate, clipped to [-1, 1] when asked
 * @param eps noise estimate, consistent with x0
 */
public record Estimate(Tensor x0, Tensor eps) {

  /**
   * Runs the denoiser once at integer timestep t.
   *
   * @param clip clamp x0 to the data range [-1, 1] (diffusers' clip_sample) and re-derive eps from it
   */
  public static Estimate at(Denoiser d, NoiseSchedule s, Tensor xt, int t, boolean clip) {
    return at(d, xt, t, s.sqrtAlphaBar(t), s.sqrtOneMinusAlphaBar(t), clip);
  }

  /**
   * Runs the denoiser once at a fractional timestep t (continuous-time samplers), where x_t = a x0 +
   * b eps.
   *
   * @param a sqrt(alphaBar) at t
   * @param b sqrt(1 - alphaBar) at t
   * @param clip clamp x0 to the data range [-1, 1] and re-derive eps from it
   */
  public static Estimate at(Denoiser d, Tensor xt, double t, double a, double b, boolean clip) {
    return of(d.prediction(), xt, d.output(xt, t), a, b, clip);
  }

  /** The estimates implied by a network output at x_t = a x0 + b eps, coefficients in double precision. */
  public static Estimate of(Prediction p, Tensor xt, Tensor out, double a, double b, boolean clip) {
    Tensor x0 = p.toX0(xt, out, a, b);
    if (!clip) {
      return new Estimate(x0, p.toEps(xt, out, a, b));
    }
    x0 = x0.clamp(new ScalarOptional(Torch.s(-1)), new ScalarOptional(Torch.s(1)));
    return new Estimate(x0, Prediction.X0.toEps(xt, x0, a, b));
  }
}
