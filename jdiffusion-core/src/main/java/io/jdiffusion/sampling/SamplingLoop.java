package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Noise;
import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The one loop every {@link Sampler} runs in, diffusers' pipeline loop: a fresh run of the sampler
 * ({@link Sampler#newRun}), its path, x_T scaled to the first point, then each step in its own {@link
 * PointerScope} with x carried across steps ({@link Carry}) and the callback told after each step.
 */
public final class SamplingLoop {
  private SamplingLoop() {}

  /**
   * Samples from x_T along the sampler's path for N steps.
   *
   * @param xT a standard-normal draw [B, C, H, W]
   * @param steps N
   * @param spacing which timesteps the sampler visits
   * @param noise per-image streams for fresh noise (may be null for deterministic runs)
   * @return x_0, [B, C, H, W]
   */
  public static Tensor run(Sampler sampler, Denoiser d, NoiseSchedule s, Tensor xT, int steps, Timesteps spacing,
      Noise noise, SamplerSettings settings, StepCallback callback) {
    SamplerSettings withSpacing = settings.spacing(spacing);
    try (Sampler run = sampler.newRun()) {
      NoisePath path = run.path(s, steps, withSpacing);
      return loop(run, d, s, run.start(xT, path, withSpacing), path, noise, withSpacing, callback);
    }
  }

  /**
   * Samples along a given path from x at its first point (image-to-image and inpainting start part way).
   *
   * @param x the image at path point 0 in VP form (standard normal at the first point of a full run)
   */
  public static Tensor run(Sampler sampler, Denoiser d, NoiseSchedule s, Tensor x, NoisePath path, Noise noise,
      SamplerSettings settings, StepCallback callback) {
    try (Sampler run = sampler.newRun()) {
      Tensor start = run.grid() == Sampler.Grid.SIGMAS
          ? x.mul(Torch.s(Math.sqrt(1 + path.sigma()[0] * path.sigma()[0]))) : x;
      return loop(run, d, s, start, path, noise, settings, callback);
    }
  }

  private static Tensor loop(Sampler run, Denoiser d, NoiseSchedule s, Tensor start, NoisePath path, Noise noise,
      SamplerSettings settings, StepCallback callback) {
    boolean ve = run.grid() == Sampler.Grid.SIGMAS;
    int n = path.steps();
    try (Carry x = new Carry(start)) {
      for (int i = 0; i < n; i++) {
        try (PointerScope scope = new PointerScope()) {
          Step step = new Step(d, s, path, i, x.get(), noise, settings);
          Tensor next = run.step(step);
          if (callback != StepCallback.NONE) {
            Tensor xt = ve ? x.get().div(Torch.s(Math.sqrt(1 + step.sigma() * step.sigma()))) : x.get();
            callback.onStep(new StepCallback.State(i, n, path.t()[i], step.sigma(), xt, step.x0()));
          }
          x.set(next);
        }
      }
      Tensor out = x.release();
      double last = path.sigma()[n];
      return ve && last > 0 ? out.div(Torch.s(Math.sqrt(1 + last * last))) : out;
    }
  }
}
