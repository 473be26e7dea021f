package io.jdiffusion.bench;

import io.jdiffusion.pipeline.DiffusionPipeline;
import io.jdiffusion.pipeline.SampleOptions;
import java.util.Arrays;
import java.util.Locale;

/**
 * Sampling throughput of the library facade as an embedding program sees it (no launcher script,
 * whatever environment the JVM was started with): DDIM 50 steps, 64 images per call, the shipped
 * fashion-mnist model. Prints one line: the median of 5 timed calls after a warm-up call.
 *
 * <pre>java -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" io.jdiffusion.bench.PipelineBench</pre>
 *
 * Run it with and without bin/jdiffusion's MALLOC_* variables to see what they change.
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static void main(String[] args) {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    try (DiffusionPipeline p = DiffusionPipeline.load("fashion-mnist")) {
      SampleOptions o = SampleOptions.ddim(50);
      p.generate(64, o); // warm-up: kernel checks, first allocations
      double[] seconds = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        p.generate(64, o.withSeed(1000L * r));
        seconds[r] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(seconds);
      double median = seconds[repeats / 2];
      String malloc = System.getenv("MALLOC_TRIM_THRESHOLD_") != null ? "set" : "unset";
      System.out.printf(Locale.ROOT, "pipeline ddim-50 batch 64: median %.2f s (%.1f images/s), MALLOC_* %s, runs %s%n",
          median, 64 / median, malloc, Arrays.toString(seconds));
    }
  }
}
