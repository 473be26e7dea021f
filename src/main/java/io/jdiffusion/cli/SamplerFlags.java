package io.jdiffusion.cli;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.NoiseSchedule;
import picocli.CommandLine.Option;

/**
 * The sampler options of {@code sample}, {@code pictures} and {@code evaluate}: their names and help
 * in one place; their defaults come from the sampler ({@link SampleOptions#defaultsFor}).
 */
public final class SamplerFlags {
  @Option(names = "--sampler", defaultValue = "ddim",
      description = "ddpm, ddim, dpm++2m, euler, euler-a or heun (default: ${DEFAULT-VALUE}).")
  String sampler;
  @Option(names = "--steps",
      description = "Denoising steps (default: T for ddpm, else 50; heun evaluates the network 2 steps - 1 times).")
  Integer steps;
  @Option(names = "--eta", description = "ddim's eta (default 0) or euler-a's noise scale (default 1); "
      + "refused for samplers without one.")
  Double eta;
  @Option(names = "--spacing", description = "Timesteps of ddpm, ddim, dpm++2m: leading, trailing or linspace "
      + "(default: trailing for dpm++2m, else leading; euler, euler-a and heun use Karras sigmas).")
  String spacing;
  @Option(names = "--variance",
      description = "ddpm's variance: fixed_small (default) or fixed_large; refused for the other samplers.")
  String variance;
  @Option(names = "--no-clip", description = "Do not clamp x0 estimates to [-1, 1].")
  boolean noClip;
  @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or bf16 (default: ${DEFAULT-VALUE}).")
  String precision;

  /** The sampler named by --sampler. */
  Sampler sampler() {
    return Samplers.byName(sampler);
  }

  /**
   * The options for a model with this schedule, with the given seed and batch, checked against the
   * schedule before any work.
   */
  SampleOptions resolve(NoiseSchedule schedule, long seed, int batch) {
    Sampler s = sampler();
    if (variance != null && s != Samplers.DDPM) {
      throw new IllegalArgumentException("--variance applies to ddpm only; " + s.name() + " has no variance to choose");
    }
    SampleOptions.Builder b = SampleOptions.defaultsFor(s, schedule).toBuilder()
        .variance(variance == null ? Ddpm.Variance.FIXED_SMALL : Ddpm.Variance.parse(variance)).clip(!noClip)
        .precision(Precision.parse(precision)).seed(seed).batch(batch);
    if (steps != null) {
      b.steps(steps);
    }
    if (eta != null) {
      b.eta(eta);
    }
    if (spacing != null) {
      if (s.grid() != Sampler.Grid.TIMESTEPS) {
        throw new IllegalArgumentException("--spacing applies to ddpm, ddim and dpm++2m; " + s.name()
            + " uses Karras sigmas");
      }
      b.spacing(Timesteps.parse(spacing));
    }
    SampleOptions o = b.build();
    o.checkAgainst(schedule);
    return o;
  }
}
