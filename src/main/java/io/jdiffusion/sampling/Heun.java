package io.jdiffusion.sampling;

import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Heun's second-order method on the probability-flow ODE in sigma space, Algorithm 1 of Karras et
 * al. 2022 (EDM) with sigma(t) = t, s(t) = 1:
 *
 * <pre>d_i = (x_i - D(x_i; sigma_i)) / sigma_i
 * x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i                       (Euler step)
 * if sigma_{i+1} != 0:
 *   d'_i = (x_{i+1} - D(x_{i+1}; sigma_{i+1})) / sigma_{i+1}
 *   x_{i+1} = x_i + (sigma_{i+1} - sigma_i) (d_i + d'_i) / 2         (trapezoidal correction)</pre>
 *
 * The last step, to sigma = 0, is a plain Euler step, so N steps take 2N - 1 network evaluations.
 */
public final class Heun {
  private Heun() {}

  /**
   * Integrates from x_T (a standard-normal VP draw at sigmas[0]) down the given sigmas.
   *
   * @param sigmas N + 1 decreasing noise levels ending in 0 ({@link KarrasSigmas#of})
   * @param clip clamp D(x; sigma) to [-1, 1]
   */
  public static Tensor sample(Denoiser d, NoiseSchedule s, Tensor xT, double[] sigmas, boolean clip,
      IntConsumer onStep) {
    SigmaDenoiser denoiser = new SigmaDenoiser(d, s, clip);
    try (Carry x = new Carry(SigmaDenoiser.fromVp(xT, sigmas[0]))) {
      for (int i = 0; i + 1 < sigmas.length; i++) {
        double sigma = sigmas[i];
        double next = sigmas[i + 1];
        try (PointerScope step = new PointerScope()) {
          Tensor slope = x.get().sub(denoiser.x0(x.get(), sigma)).div(Torch.s(sigma));
          Tensor euler = x.get().add(slope.mul(Torch.s(next - sigma)));
          if (next != 0) {
            Tensor slopeNext = euler.sub(denoiser.x0(euler, next)).div(Torch.s(next));
            euler = x.get().add(slope.add(slopeNext).mul(Torch.s((next - sigma) / 2)));
          }
          x.set(euler);
        }
        onStep.accept(i);
      }
      return x.release();
    }
  }
}
