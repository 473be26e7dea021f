package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Denoising diffusion implicit models (Song, Meng &amp; Ermon 2021), eq. 12, from t to the previous
 * visited step p:
 *
 * <pre>sigma = eta sqrt((1 - alphaBar_p)/(1 - alphaBar_t)) sqrt(1 - alphaBar_t/alphaBar_p)   (eq. 16)
 * x_p = sqrt(alphaBar_p) x0 + sqrt(1 - alphaBar_p - sigma^2) eps + sigma z</pre>
 *
 * eta = 0 is the deterministic DDIM sampler; eta = 1 matches DDPM's FIXED_SMALL variance. After the
 * last visited step alphaBar_p = 1 (diffusers' set_alpha_to_one).
 */
public final class Ddim {
  private Ddim() {}

  /** One DDIM update from x_t with estimates e to timestep prev (-1 = the clean image). */
  public static Tensor step(NoiseSchedule s, Tensor xt, Estimate e, int t, int prev, double eta, ImageNoise noise) {
    double abT = s.alphaBar(t);
    double abP = prev >= 0 ? s.alphaBar(prev) : 1.0;
    double sigma = eta * Math.sqrt((1 - abP) / (1 - abT)) * Math.sqrt(1 - abT / abP);
    Tensor next = e.x0().mul(Torch.s(Math.sqrt(abP)))
        .add(e.eps().mul(Torch.s(Math.sqrt(Math.max(0, 1 - abP - sigma * sigma)))));
    if (sigma > 0) {
      long[] shape = Torch.shape(xt);
      next = next.add(noise.next(shape[1], shape[2], shape[3]).mul(Torch.s(sigma)));
    }
    return next;
  }

  /**
   * Runs DDIM from x_T over the given descending timesteps.
   *
   * @param eta 0 deterministic, 1 DDPM-like
   * @param clip clamp the x0 estimate to [-1, 1]
   */
  public static Tensor sample(Denoiser d, NoiseSchedule s, Tensor xT, ImageNoise noise, int[] timesteps,
      double eta, boolean clip, IntConsumer onStep) {
    try (Carry x = new Carry(xT)) {
      for (int i = 0; i < timesteps.length; i++) {
        int t = timesteps[i];
        int prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
        try (PointerScope step = new PointerScope()) {
          Estimate e = Estimate.at(d, s, x.get(), t, clip);
          x.set(step(s, x.get(), e, t, prev, eta, noise));
        }
        onStep.accept(i);
      }
      return x.release();
    }
  }
}
