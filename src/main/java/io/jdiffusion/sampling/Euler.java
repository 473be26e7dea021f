package io.jdiffusion.sampling;

import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
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
public final class Euler {
  private Euler() {}

  /**
   * Integrates from x_T (a standard-normal VP draw at sigmas[0]) down the given sigmas.
   *
   * @param sigmas N + 1 decreasing noise levels ending in 0 ({@link KarrasSigmas#of})
   * @param clip clamp D(x; sigma) to [-1, 1]
   * @return the clean image (sigma = 0, where VP and VE scaling agree)
   */
  public static Tensor sample(Denoiser d, NoiseSchedule s, Tensor xT, double[] sigmas, boolean clip,
      IntConsumer onStep) {
    SigmaDenoiser denoiser = new SigmaDenoiser(d, s, clip);
    try (Carry x = new Carry(SigmaDenoiser.fromVp(xT, sigmas[0]))) {
      for (int i = 0; i + 1 < sigmas.length; i++) {
        try (PointerScope step = new PointerScope()) {
          Tensor slope = x.get().sub(denoiser.x0(x.get(), sigmas[i])).div(Torch.s(sigmas[i]));
          x.set(x.get().add(slope.mul(Torch.s(sigmas[i + 1] - sigmas[i]))));
        }
        onStep.accept(i);
      }
      return x.release();
    }
  }
}
