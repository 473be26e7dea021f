package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Timesteps;

/**
 * How to sample.
 *
 * @param sampler ddpm, ddim, dpm++2m, euler, euler-a or heun ({@link Sampler})
 * @param steps number of denoising steps (network evaluations, 2 steps - 1 for heun)
 * @param eta DDIM's eta (0 deterministic), or Euler a's ancestral noise scale (1)
 * @param spacing which timesteps ddpm, ddim and dpm++2m visit: leading, trailing or linspace
 * @param variance DDPM's variance: fixed_small or fixed_large
 * @param clip clamp x0 estimates to [-1, 1]
 * @param seed image i uses seed + i
 * @param batch images per forward pass (does not change the images)
 * @param precision fp32 or bf16
 */
public record SampleOptions(String sampler, int steps, double eta, String spacing, String variance,
    boolean clip, long seed, int batch, String precision) {

  public SampleOptions {
    sampler = Sampler.parse(sampler).cliName();
    if (steps < 1 || steps > 100_000) {
      throw new IllegalArgumentException("steps must be between 1 and 100000, got " + steps);
    }
    if (!(eta >= 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
    }
    if (batch < 1 || batch > 65_536) {
      throw new IllegalArgumentException("batch must be between 1 and 65536, got " + batch);
    }
    Timesteps.parse(spacing);
    Ddpm.Variance.parse(variance);
    Precision.parse(precision);
  }

  public Sampler samplerKind() {
    return Sampler.parse(sampler);
  }

  /** DDIM, 50 steps, eta 0: a good default. */
  public static SampleOptions ddim(int steps, long seed) {
    return new SampleOptions("ddim", steps, 0.0, "leading", "fixed_small", true, seed, 64, "fp32");
  }
}
