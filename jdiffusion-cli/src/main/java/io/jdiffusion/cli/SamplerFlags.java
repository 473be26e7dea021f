package io.jdiffusion.cli;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Timesteps;
import picocli.CommandLine.Option;

/**
 * The sampler options of {@code sample}, {@code pictures} and {@code evaluate}: their names and help
 * in one place; their defaults come from the model ({@link TrainedModel#sampling}: a diffusers
 * pipeline's scheduler, else DDIM) or, for another sampler than the model's, from that sampler
 * ({@link SampleOptions#defaultsFor}).
 */
public final class SamplerFlags {
  @Option(names = "--sampler", description = Help.SAMPLERS)
  String sampler;
  @Option(names = "--steps", description = "Denoising steps (default: a diffusers pipeline's own, 1000 for "
      + "DDPMPipeline; else T for ddpm, else 50; heun evaluates the network 2 steps - 1 times).")
  Integer steps;
  @Option(names = "--eta", description = "ddim's eta (default 0, or the model's) or euler-a's noise scale (default 1);"
      + " refused for samplers without one.")
  Double eta;
  @Option(names = "--spacing", description = "Timesteps visited: leading, trailing or linspace (default: a diffusers "
      + "scheduler's timestep_spacing, else the sampler's: leading for ddpm, ddim and pndm, trailing for dpm++, "
      + "linspace for the others; lcm takes its own).")
  String spacing;
  @Option(names = "--variance",
      description = "ddpm's variance: fixed_small (default) or fixed_large; refused for the other samplers.")
  String variance;
  @Option(names = "--no-clip", description = "Do not clamp x0 estimates to [-1, 1] (default: clamp, or a diffusers "
      + "scheduler's clip_sample).")
  boolean noClip;
  @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or bf16 (default: ${DEFAULT-VALUE}).")
  String precision;

  /**
   * The options for this model, with the given seed and batch, checked against its schedule before
   * any work: the model's own defaults ({@link TrainedModel#sampling}) when --sampler is absent or
   * names the model's sampler, else that sampler's defaults; then each option given.
   */
  SampleOptions resolve(TrainedModel model, long seed, int batch) {
    SampleOptions.Builder b = SampleOptions.forModel(model, sampler, steps, eta, spacing, variance, "--")
        .precision(Precision.parse(precision)).seed(seed).batch(batch);
    if (noClip) {
      b.clip(false);
    }
    SampleOptions o = b.build();
    o.checkAgainst(model.schedule());
    return o;
  }
}
