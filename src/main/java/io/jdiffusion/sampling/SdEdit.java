package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Image-to-image by SDEdit (Meng et al. 2022, Algorithm 1), with DDIM as the reverse solver: the
 * guide image is perturbed to an intermediate timestep t0 chosen by the strength s in (0, 1], then
 * denoised from there:
 *
 * <pre>x_{t0} = sqrt(alphaBar_{t0}) x_guide + sqrt(1 - alphaBar_{t0}) z      (Ho et al. eq. 4)
 * x_0    = DDIM from x_{t0} down the remaining visited timesteps</pre>
 *
 * Of N visited timesteps, strength s keeps the last ceil(s N): s = 1 starts from the first (nearly
 * pure noise), small s changes little. (diffusers' img2img keeps floor(s N); the ceiling makes every
 * s &gt; 0 take at least one step.)
 */
public final class SdEdit {
  private SdEdit() {}

  /** How many of N visited timesteps strength s keeps: ceil(s N), at least 1. */
  public static int steps(int n, double strength) {
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
    }
    return Math.max(1, (int) Math.ceil(strength * n - 1e-9));
  }

  /** The last ceil(s N) of the N descending timesteps. */
  public static int[] timesteps(int[] descending, double strength) {
    int keep = steps(descending.length, strength);
    return Arrays.copyOfRange(descending, descending.length - keep, descending.length);
  }

  /**
   * Edits {@code guide} [B, C, H, W] in [-1, 1].
   *
   * @param timesteps all N visited timesteps, descending; the strength selects their tail
   * @param settings DDIM's eta (0 deterministic given the perturbation) and clipping
   */
  public static Tensor edit(Denoiser d, NoiseSchedule s, Tensor guide, ImageNoise noise, int[] timesteps,
      double strength, SamplerSettings settings, StepCallback callback) {
    int[] tail = timesteps(timesteps, strength);
    int t0 = tail[0];
    long[] shape = Torch.shape(guide);
    Tensor xt0 = guide.mul(Torch.s(s.sqrtAlphaBar(t0)))
        .add(noise.next(shape[1], shape[2], shape[3]).mul(Torch.s(s.sqrtOneMinusAlphaBar(t0))));
    return SamplingLoop.run(Samplers.DDIM, d, s, xt0, NoisePath.timesteps(s, tail), noise, settings, callback);
  }
}
