package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The one loop every {@link Sampler} runs in: each step in its own {@link PointerScope}, x and the
 * previous x0 estimate carried across steps ({@link Carry}), the callback told after each step. A
 * sampler itself is only its update rule.
 */
public final class SamplingLoop {
  private SamplingLoop() {}

  /**
   * Samples from x_T along the sampler's default path for N steps.
   *
   * @param xT a standard-normal draw [B, C, H, W] (the VP x_T)
   * @param steps N
   * @param spacing which timesteps a {@link Sampler.Grid#TIMESTEPS} sampler visits
   * @param noise per-image streams for fresh noise (may be null for deterministic runs)
   * @return x_0, [B, C, H, W]
   */
  public static Tensor run(Sampler sampler, Denoiser d, NoiseSchedule s, Tensor xT, int steps, Timesteps spacing,
      ImageNoise noise, SamplerSettings settings, StepCallback callback) {
    return run(sampler, d, s, xT, path(sampler, s, steps, spacing), noise, settings, callback);
  }

  /** The points a sampler visits in N steps: spaced timesteps or Karras sigmas. */
  public static NoisePath path(Sampler sampler, NoiseSchedule s, int steps, Timesteps spacing) {
    return switch (sampler.grid()) {
      case TIMESTEPS -> NoisePath.timesteps(s, spacing.select(s.steps(), steps));
      case KARRAS_SIGMAS -> NoisePath.sigmas(s, KarrasSigmas.of(s, steps));
    };
  }

  /**
   * Samples from x_T along a given path.
   *
   * @param xT the VP x at path point 0 (standard normal at the first point of a full run)
   */
  public static Tensor run(Sampler sampler, Denoiser d, NoiseSchedule s, Tensor xT, NoisePath path,
      ImageNoise noise, SamplerSettings settings, StepCallback callback) {
    boolean ve = sampler.grid() == Sampler.Grid.KARRAS_SIGMAS;
    Tensor start = ve ? SigmaDenoiser.fromVp(xT, path.sigma()[0]) : xT;
    int n = path.steps();
    Carry history = null;
    try (Carry x = new Carry(start)) {
      for (int i = 0; i < n; i++) {
        try (PointerScope scope = new PointerScope()) {
          Step step = new Step(d, s, path, i, x.get(), noise, settings, history == null ? null : history.get());
          Tensor next = sampler.step(step);
          Tensor x0 = step.x0();
          if (callback != StepCallback.NONE) {
            Tensor xt = ve ? x.get().mul(Torch.s(1 / Math.sqrt(1 + step.sigma() * step.sigma()))) : x.get();
            callback.onStep(new StepCallback.State(i, n, path.t()[i], step.sigma(), xt, x0));
          }
          if (x0 != null) {
            if (history == null) {
              history = new Carry(x0);
            } else {
              history.set(x0);
            }
          }
          x.set(next);
        }
      }
      return x.release();
    } finally {
      if (history != null) {
        history.close();
      }
    }
  }
}
