package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * The denoiser's estimates of the clean image and of the noise at (x_t, t), converted by {@link
 * io.jdiffusion.diffusion.Prediction} whatever the network predicts.
 *
 * @param x0 clean-image estimate, clipped to [-1, 1] when asked
 * @param eps noise estimate
 */
public record Estimate(Tensor x0, Tensor eps) {

  /**
   * Runs the denoiser once at integer timestep t.
   *
   * @param clip clamp x0 to the data range [-1, 1] (diffusers' clip_sample); eps is left as predicted
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
   * @param clip clamp x0 to the data range [-1, 1]; eps is left as predicted
   */
  public static Estimate at(Denoiser d, Tensor xt, double t, double a, double b, boolean clip) {
    Tensor ta = Torch.scalar(a);
    Tensor tb = Torch.scalar(b);
    Tensor out = d.output(xt, t);
    Tensor x0 = d.prediction().toX0(xt, out, ta, tb);
    Tensor eps = d.prediction().toEps(xt, out, ta, tb);
    if (clip) {
      x0 = x0.clamp(new ScalarOptional(Torch.s(-1)), new ScalarOptional(Torch.s(1)));
    }
    return new Estimate(x0, eps);
  }
}
