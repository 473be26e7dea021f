package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Noise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Image-to-image by SDEdit (Meng et al. 2022, Algorithm 1) with any sampler as the reverse solver:
 * the guide image is perturbed to a point of the sampler's path chosen by the strength s in (0, 1],
 * then denoised from there along the rest of the path:
 *
 * <pre>x_{t0} = sqrt(alphaBar_{t0}) x_guide + sqrt(1 - alphaBar_{t0}) z      (Ho et al. eq. 4)
 * x_0    = the sampler from x_{t0} over the remaining points</pre>
 *
 * Of N points, strength s keeps the last ceil(s N): s = 1 starts from the first (nearly pure noise),
 * small s changes little. (diffusers' img2img keeps floor(s N); the ceiling makes every s &gt; 0 take
 * at least one step.) A multistep sampler starts its history afresh at t0, as diffusers' does.
 */
public final class SdEdit {
  private SdEdit() {}

  /** How many of N points strength s keeps: ceil(s N), at least 1. */
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
   * @param path the sampler's whole path for N steps; the strength selects its tail
   * @param settings eta (0: deterministic given the perturbation), clipping and the rest
   */
  public static Tensor edit(Sampler sampler, Denoiser d, NoiseSchedule s, Tensor guide, Noise noise, NoisePath path,
      double strength, SamplerSettings settings, StepCallback callback) {
    return fromTail(sampler, d, s, guide, noise, path.tail(steps(path.steps(), strength)), settings, callback);
  }

  /**
   * How many points of an N-step path diffusers' img2img keeps for strength s: it skips the first
   * N - floor(N s) steps of the sampler's path (its get_timesteps: {@code timesteps[t_start * order:]},
   * a Heun step being two entries there, PNDM's repeated first step one).
   *
   * @throws IllegalArgumentException when nothing is left (diffusers refuses too: "the number of
   *     pipeline steps is 0")
   */
  public static int diffusersSteps(NoisePath path, int n, double strength) {
    if (!(strength >= 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
    }
    int init = Math.min((int) (n * strength), n);
    int keep = path.steps() - Math.max(n - init, 0);
    if (init < 1 || keep < 1) {
      throw new IllegalArgumentException("strength " + strength + " of " + n + " steps leaves no step to run "
          + "(diffusers keeps floor(steps x strength)): raise --strength or --steps");
    }
    return keep;
  }

  /**
   * Edits {@code guide} [B, C, H, W] (in the sampler's data space) from the first point of {@code tail}:
   * perturbed there with one draw of {@code noise}, then denoised along the tail.
   */
  public static Tensor fromTail(Sampler sampler, Denoiser d, NoiseSchedule s, Tensor guide, Noise noise,
      NoisePath tail, SamplerSettings settings, StepCallback callback) {
    double sigma = tail.sigma()[0];
    double a = sampler.grid() == Sampler.Grid.TIMESTEPS ? s.sqrtAlphaBar(tail.timestep(0)) : 1 / Math.sqrt(1 + sigma * sigma);
    double b = sampler.grid() == Sampler.Grid.TIMESTEPS ? s.sqrtOneMinusAlphaBar(tail.timestep(0)) : sigma * a;
    long[] shape = Torch.shape(guide);
    Tensor xt0 = guide.mul(Torch.s(a)).add(noise.next(shape[1], shape[2], shape[3]).mul(Torch.s(b)));
    return SamplingLoop.run(sampler, d, s, xt0, tail, noise, settings, callback);
  }

  /** {@link #edit} with DDIM over explicit descending timesteps. */
  public static Tensor edit(Denoiser d, NoiseSchedule s, Tensor guide, Noise noise, int[] timesteps,
      double strength, SamplerSettings settings, StepCallback callback) {
    return edit(Samplers.DDIM, d, s, guide, noise, NoisePath.timesteps(s, timesteps), strength, settings, callback);
  }
}
