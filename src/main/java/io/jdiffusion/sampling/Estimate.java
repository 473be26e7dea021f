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
    Tensor a = Torch.scalar(s.sqrtAlphaBar(t));
    Tensor b = Torch.scalar(s.sqrtOneMinusAlphaBar(t));
    Tensor out = d.output(xt, t);
    Tensor x0 = d.prediction().toX0(xt, out, a, b);
    Tensor eps = d.prediction().toEps(xt, out, a, b);
    if (clip) {
      x0 = x0.clamp(new ScalarOptional(Torch.s(-1)), new ScalarOptional(Torch.s(1)));
    }
    return new Estimate(x0, eps);
  }
}
