package io.jdiffusion.sampling;

import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * DPM-Solver++(2M), the multistep second-order solver of the diffusion ODE in data-prediction form
 * (Lu et al. 2022, "DPM-Solver++", Algorithm 2), in lambda_t = log(alpha_t / sigma_t) time.
 *
 * <p>Here alpha_t = sqrt(alphaBar_t) and sigma_t = sqrt(1 - alphaBar_t) are Lu et al.'s VP
 * coefficients (not the VE sigma of Karras et al.). From t_{i-1} to t_i, with h_i = lambda_{t_i} -
 * lambda_{t_{i-1}} and x0_i the data prediction at t_i:
 *
 * <pre>first order (= DDIM):         x_{t_i} = sigma_i/sigma_{i-1} x_{t_{i-1}} - alpha_i (e^{-h_i} - 1) x0_{i-1}
 * second order (2M):            r_i = h_{i-1} / h_i
 *                               D_i = (1 + 1/(2 r_i)) x0_{i-1} - 1/(2 r_i) x0_{i-2}
 *                               x_{t_i} = sigma_i/sigma_{i-1} x_{t_{i-1}} - alpha_i (e^{-h_i} - 1) D_i</pre>
 *
 * The first step has no history and is first order; the last step, to the clean image (alpha = 1,
 * sigma = 0, lambda = +inf), is first order as in the reference implementation (diffusers'
 * DPMSolverMultistepScheduler with final_sigmas_type "zero"), and lands exactly on x0_{N-1}.
 */
public final class DpmSolverPlusPlus {
  private DpmSolverPlusPlus() {}

  /**
   * Runs the solver from x_T over the given descending timesteps, then to the clean image.
   *
   * @param order 2 for DPM-Solver++(2M); 1 gives the first-order solver (DDIM with eta 0)
   * @param clip clamp the x0 estimates to [-1, 1]
   */
  public static Tensor sample(Denoiser d, NoiseSchedule s, Tensor xT, int[] timesteps, int order, boolean clip,
      IntConsumer onStep) {
    if (order != 1 && order != 2) {
      throw new IllegalArgumentException("DPM-Solver++ order must be 1 or 2, got " + order);
    }
    try (Carry x = new Carry(xT); Carry previousX0 = new Carry(Torch.scalar(0))) {
      double previousH = Double.NaN;
      for (int i = 0; i < timesteps.length; i++) {
        int t = timesteps[i];
        int next = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
        double alphaS = s.sqrtAlphaBar(t);
        double sigmaS = s.sqrtOneMinusAlphaBar(t);
        double alphaT = next >= 0 ? s.sqrtAlphaBar(next) : 1.0;
        double sigmaT = next >= 0 ? s.sqrtOneMinusAlphaBar(next) : 0.0;
        // e^{-h} = (sigma_t / alpha_t) / (sigma_s / alpha_s), finite (0) even for the clean image
        double expMinusH = (sigmaT / alphaT) / (sigmaS / alphaS);
        double h = next >= 0 ? Math.log(alphaT / sigmaT) - Math.log(alphaS / sigmaS) : Double.POSITIVE_INFINITY;
        boolean secondOrder = order == 2 && i > 0 && next >= 0;
        try (PointerScope step = new PointerScope()) {
          Tensor x0 = Estimate.at(d, s, x.get(), t, clip).x0();
          Tensor dataPrediction = x0;
          if (secondOrder) {
            double r = previousH / h;
            dataPrediction = x0.mul(Torch.s(1 + 1 / (2 * r))).sub(previousX0.get().mul(Torch.s(1 / (2 * r))));
          }
          x.set(x.get().mul(Torch.s(sigmaT / sigmaS)).sub(dataPrediction.mul(Torch.s(alphaT * (expMinusH - 1)))));
          previousX0.set(x0);
        }
        previousH = h;
        onStep.accept(i);
      }
      return x.release();
    }
  }
}
