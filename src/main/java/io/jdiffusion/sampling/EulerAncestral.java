package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Ancestral Euler ("Euler a", k-diffusion's {@code sample_euler_ancestral}, the sampler accompanying
 * Karras et al. 2022): each step splits sigma_{i+1} into a deterministic part sigma_down, reached by
 * an Euler step, and fresh noise of size sigma_up:
 *
 * <pre>sigma_up   = min(sigma_{i+1}, eta sqrt(sigma_{i+1}^2 (sigma_i^2 - sigma_{i+1}^2) / sigma_i^2))
 * sigma_down = sqrt(sigma_{i+1}^2 - sigma_up^2)
 * x_{i+1}    = x_i + (sigma_down - sigma_i) (x_i - D(x_i; sigma_i)) / sigma_i + sigma_up z</pre>
 *
 * With eta = 1 this is the DDPM posterior q(x_{i+1} | x_i, x0 = D) written in sigma space; eta = 0
 * is {@link Euler}. One network evaluation per step; no noise on the last step (sigma_N = 0).
 */
public final class EulerAncestral {
  private EulerAncestral() {}

  /**
   * Samples from x_T (a standard-normal VP draw at sigmas[0]) down the given sigmas.
   *
   * @param sigmas N + 1 decreasing noise levels ending in 0 ({@link KarrasSigmas#of})
   * @param eta scale of the ancestral noise (1 = DDPM-like, 0 = deterministic Euler)
   * @param noise per-image streams for z
   * @param clip clamp D(x; sigma) to [-1, 1]
   */
  public static Tensor sample(Denoiser d, NoiseSchedule s, Tensor xT, ImageNoise noise, double[] sigmas, double eta,
      boolean clip, IntConsumer onStep) {
    SigmaDenoiser denoiser = new SigmaDenoiser(d, s, clip);
    long[] shape = Torch.shape(xT);
    try (Carry x = new Carry(SigmaDenoiser.fromVp(xT, sigmas[0]))) {
      for (int i = 0; i + 1 < sigmas.length; i++) {
        double sigma = sigmas[i];
        double next = sigmas[i + 1];
        double up = Math.min(next, eta * Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)));
        double down = Math.sqrt(next * next - up * up);
        try (PointerScope step = new PointerScope()) {
          Tensor slope = x.get().sub(denoiser.x0(x.get(), sigma)).div(Torch.s(sigma));
          Tensor moved = x.get().add(slope.mul(Torch.s(down - sigma)));
          if (up > 0) {
            moved = moved.add(noise.next(shape[1], shape[2], shape[3]).mul(Torch.s(up)));
          }
          x.set(moved);
        }
        onStep.accept(i);
      }
      return x.release();
    }
  }
}
