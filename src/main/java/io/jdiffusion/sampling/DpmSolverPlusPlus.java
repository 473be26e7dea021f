package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
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
public final class DpmSolverPlusPlus implements Sampler {
  private final int order;
  private final Traits traits;

  /** @param order 2 for DPM-Solver++(2M); 1 gives the first-order solver (DDIM with eta 0) */
  public DpmSolverPlusPlus(int order) {
    if (order != 1 && order != 2) {
      throw new IllegalArgumentException("DPM-Solver++ order must be 1 or 2, got " + order);
    }
    this.order = order;
    // trailing spacing: near diffusers' DPM-Solver default
    this.traits = Traits.of(order == 2 ? "dpm++2m" : "dpm++1", Grid.TIMESTEPS).withSpacing(Timesteps.TRAILING);
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public Tensor step(Step step) {
    NoiseSchedule s = step.schedule();
    int t = step.timestep();
    int next = step.nextTimestep();
    double alphaS = s.sqrtAlphaBar(t);
    double sigmaS = s.sqrtOneMinusAlphaBar(t);
    double alphaT = next >= 0 ? s.sqrtAlphaBar(next) : 1.0;
    double sigmaT = next >= 0 ? s.sqrtOneMinusAlphaBar(next) : 0.0;
    // e^{-h} = (sigma_t / alpha_t) / (sigma_s / alpha_s), finite (0) even for the clean image
    double expMinusH = (sigmaT / alphaT) / (sigmaS / alphaS);
    Tensor x0 = step.estimate().x0();
    Tensor dataPrediction = x0;
    if (order == 2 && step.previousX0() != null && next >= 0) {
      int previous = step.path().timestep(step.index() - 1);
      double r = (lambda(s, t) - lambda(s, previous)) / (lambda(s, next) - lambda(s, t)); // h_{i-1} / h_i
      dataPrediction = x0.mul(Torch.s(1 + 1 / (2 * r))).sub(step.previousX0().mul(Torch.s(1 / (2 * r))));
    }
    return step.x().mul(Torch.s(sigmaT / sigmaS)).sub(dataPrediction.mul(Torch.s(alphaT * (expMinusH - 1))));
  }

  /** lambda_t = log(alpha_t / sigma_t), half the log-SNR. */
  private static double lambda(NoiseSchedule s, int t) {
    return Math.log(s.sqrtAlphaBar(t) / s.sqrtOneMinusAlphaBar(t));
  }
}
