package io.jdiffusion.bench;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Sampling throughput of every sampler on one model: one batch of 64 images per sampler, the same
 * step count for all (DDPM then visits a subset of the timesteps), after one warm-up batch.
 *
 * <pre>java -cp ... io.jdiffusion.bench.SamplerBench RUN_DIR [STEPS=20] [THREADS=0] [PRECISION=fp32]</pre>
 *
 * Prints one row per sampler: steps, network evaluations per image, seconds and images/s. Quality
 * (FID) is not measured here.
 */
public final class SamplerBench {
  private static final int BATCH = 64;

  private SamplerBench() {}

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 4) {
      System.err.println("usage: SamplerBench RUN_DIR [STEPS=20] [THREADS=0] [PRECISION=fp32]");
      System.exit(2);
    }
    Path run = Path.of(args[0]);
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    String precision = args.length > 3 ? args[3] : "fp32";
    Torch.init(threads);
    TrainedModel m = TrainedModel.load(run, true);
    System.out.printf(Locale.ROOT, "model %s: %,d parameters, %dx%dx%d, T = %d; batch %d, %d steps, %s, %d threads%n",
        run, m.net().parameterCount(), m.config().inChannels(), m.config().imageSize(), m.config().imageSize(),
        m.scheduleConfig().steps(), BATCH, steps, precision, org.bytedeco.pytorch.global.torch.get_num_threads());
    Generate.images(m, BATCH, null, options(Samplers.DDIM, 2, precision), quiet()); // warm-up
    System.out.printf(Locale.ROOT, "%-8s %6s %12s %9s %9s%n", "sampler", "steps", "evaluations", "seconds", "images/s");
    for (Sampler s : Samplers.all()) {
      long t0 = System.nanoTime();
      Generate.images(m, BATCH, null, options(s, steps, precision), quiet());
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "%-8s %6d %12d %9.2f %9.2f%n", s.name(), steps, s.evaluations(steps), secs,
          BATCH / secs);
    }
  }

  private static SampleOptions options(Sampler s, int steps, String precision) {
    return SampleOptions.builder(s).steps(steps).batch(BATCH).precision(Precision.parse(precision)).build();
  }

  private static Progress quiet() {
    return Progress.silent(1);
  }
}
