package io.jdiffusion.sampling;

import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * DDIM inversion: the deterministic DDIM ODE (Song et al. 2021, eq. 14) run forwards, from a clean
 * image up to its latent x_T. With sigma = sqrt((1 - alphaBar)/alphaBar), from level p (the clean
 * image first, alphaBar = 1, sigma = 0) to the next visited timestep t above it:
 *
 * <pre>x_t / sqrt(alphaBar_t) = x_p / sqrt(alphaBar_p) + (sigma_t - sigma_p) eps(x_p, t)</pre>
 *
 * The noise is estimated at the current x_p but at the target timestep t (diffusers'
 * DDIMInverseScheduler), the timestep at which the DDIM step from t back to p evaluates it, so that
 * DDIM ({@link Ddim}) with eta 0 over the same timesteps returns the image, exactly in the limit of
 * small steps.
 */
public final class DdimInversion {
  private DdimInversion() {}

  /**
   * Encodes {@code x0} [B, C, H, W] in [-1, 1].
   *
   * @param timesteps the visited timesteps in descending order, as DDIM visits them
   * @return the latent x_T at timesteps[0]
   */
  public static Tensor invert(Denoiser d, NoiseSchedule s, Tensor x0, int[] timesteps, IntConsumer onStep) {
    try (Carry x = new Carry(x0)) {
      double sqrtAlphaBarP = 1;
      double sigmaP = 0;
      for (int i = 0; i < timesteps.length; i++) {
        int t = timesteps[timesteps.length - 1 - i];
        double sigmaT = s.sigma(t);
        try (PointerScope step = new PointerScope()) {
          Tensor eps = Estimate.at(d, s, x.get(), t, false).eps();
          Tensor scaled = x.get().div(Torch.s(sqrtAlphaBarP)).add(eps.mul(Torch.s(sigmaT - sigmaP)));
          x.set(scaled.mul(Torch.s(s.sqrtAlphaBar(t))));
        }
        sqrtAlphaBarP = s.sqrtAlphaBar(t);
        sigmaP = sigmaT;
        onStep.accept(i);
      }
      return x.release();
    }
  }
}
