package io.jdiffusion.cli;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The model and sampler options shared by {@code inpaint}, {@code img2img} and {@code interpolate}. */
public final class EditOptions {
  @Mixin DeviceFlag device;
  @Option(names = "--sampler", description = "The sampler, any of sample's (default: ddim; ddpm, RePaint, for inpaint).")
  String sampler;
  @Option(names = "--steps", description = "Steps of the sampler's whole path (default: min(50, T)).")
  Integer steps;
  @Option(names = "--spacing",
      description = "Timestep spacing: leading, trailing, linspace (default: the sampler's).")
  String spacing;
  @Option(names = "--no-clip", description = "Do not clamp x0 estimates to [-1, 1].") boolean noClip;
  @Option(names = "--seed", defaultValue = "0", description = "Image i uses seed + i (default: ${DEFAULT-VALUE}).")
  long seed;
  @Option(names = "--batch", defaultValue = "64", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;
  @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or bf16 (default: ${DEFAULT-VALUE}).")
  String precision;
  @Option(names = "--raw", description = "Use the raw weights of a checkpoint instead of the EMA.") boolean raw;
  @Option(names = "--threads", defaultValue = "0", description = Help.THREADS) int threads;
  @Option(names = {"-q", "--quiet"}, description = "No progress bar.") boolean quiet;

  /** Checks --num and the output before any work, then starts libtorch and loads the model. */
  TrainedModel prepare(String model, int n, Path out) {
    if (n < 1 || n > 100_000) {
      throw new IllegalArgumentException("--num must be between 1 and 100000, got " + n);
    }
    Outputs.png(out, "--out");
    return load(model);
  }

  /** Writes {@code first} (one image: the input) and the n edited images after it as one row. */
  static void writeRow(Path out, float[] first, float[] edited, int n, UNetConfig c) {
    float[] row = new float[first.length + edited.length];
    System.arraycopy(first, 0, row, 0, first.length);
    System.arraycopy(edited, 0, row, first.length, edited.length);
    int size = c.imageSize();
    ImageGrid.writeGrid(out, row, n + 1, c.inChannels(), size, size, n + 1, ImageGrid.DEFAULT_PADDING,
        ImageGrid.upscaleFor(size));
  }

  /** Starts libtorch and loads the model. */
  TrainedModel load(String model) {
    Torch.init(threads);
    device.use();
    return TrainedModel.resolve(model, !raw);
  }

  /** The sampler --sampler names, else {@code dflt}. */
  Sampler sampler(Sampler dflt) {
    return sampler == null ? dflt : Samplers.byName(sampler);
  }

  /** The options for {@code sampler}, checking the step count against the schedule. */
  SampleOptions sampleOptions(TrainedModel m, Sampler sampler, Double eta, String variance) {
    SampleOptions.Builder b = SampleOptions.builder(sampler).steps(Math.min(50, m.schedule().steps()))
        .variance(Ddpm.Variance.parse(variance)).clip(!noClip).seed(seed)
        .batch(batch).precision(Precision.parse(precision));
    if (spacing != null) {
      if (!sampler.usesSpacing()) {
        throw new IllegalArgumentException("--spacing does not apply to " + sampler.name() + ", whose timesteps are its own");
      }
      b.spacing(Timesteps.parse(spacing));
    }
    if (steps != null) {
      b.steps(steps);
    }
    if (eta != null) {
      b.eta(eta);
    }
    SampleOptions o = b.build();
    o.checkAgainst(m.schedule());
    return o;
  }
}
