package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Timesteps;
import java.util.Locale;

/**
 * How to sample.
 *
 * @param sampler "ddpm" or "ddim"
 * @param steps number of denoising steps (network evaluations)
 * @param eta DDIM's eta (0 deterministic)
 * @param spacing which timesteps to visit: leading, trailing or linspace
 * @param variance DDPM's variance: fixed_small or fixed_large
 * @param clip clamp x0 estimates to [-1, 1]
 * @param seed image i uses seed + i
 * @param batch images per forward pass (does not change the images)
 * @param precision fp32 or bf16
 */
public record SampleOptions(String sampler, int steps, double eta, String spacing, String variance,
    boolean clip, long seed, int batch, String precision) {

  public SampleOptions {
    sampler = sampler.toLowerCase(Locale.ROOT);
    if (!sampler.equals("ddpm") && !sampler.equals("ddim")) {
      throw new IllegalArgumentException("unknown sampler '" + sampler + "' (expected ddpm or ddim)");
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (eta < 0) {
      throw new IllegalArgumentException("eta must be >= 0, got " + eta);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    Timesteps.parse(spacing);
    Ddpm.Variance.parse(variance);
    Precision.parse(precision);
  }

  /** DDIM, 50 steps, eta 0: a good default. */
  public static SampleOptions ddim(int steps, long seed) {
    return new SampleOptions("ddim", steps, 0.0, "leading", "fixed_small", true, seed, 64, "fp32");
  }
}
