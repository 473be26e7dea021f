package io.jdiffusion.bench;

import io.jdiffusion.data.DataException;
import io.jdiffusion.data.DataHome;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.train.Batches;
import io.jdiffusion.train.TrainConfig;
import io.jdiffusion.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures what data loading costs a training step, at batch 64.
 *
 * <p>For each dataset shape it reports: the time to load the set; the time {@link Batches#make}
 * takes to assemble one batch on one thread (the CPU work the prefetch thread does per step); a
 * real training step of the tiny U-Net at that shape, measured with {@link Trainer} (its batches
 * are prefetched as in any run); and the time {@link Batches#get} waits per step in a loop whose
 * "training" is a sleep of that step time. {@code make / step} bounds the slowdown when the
 * prefetch thread competes with libtorch for the cores; the wait is what the training loop sees.
 *
 * <p>Run, after {@code mvn -DskipTests test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/classpath.txt}: {@code java -cp
 * target/classes:target/test-classes:$(cat target/classpath.txt) io.jdiffusion.bench.DataLoadBench
 * [--train-steps N] [--threads T] [--step-ms MS]}; {@code --step-ms} skips the training runs and
 * takes a stated step time instead (e.g. one measured elsewhere, or on a GPU). The fetched sets
 * (mnist, cifar10, emoji, at their own shapes) are used when present under {@link DataHome};
 * otherwise their rows are skipped.
 */
public final class DataLoadBench {
  private static final int BATCH = 64;

  private DataLoadBench() {}

  /** One row of the report. */
  private record Row(String name, double loadS, double makeMs, double stepMs, double waitMs) {}

  public static void main(String[] args) throws IOException {
    int trainSteps = 12;
    int threads = 0;
    double stepMs = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--train-steps" -> trainSteps = Math.max(2, Integer.parseInt(args[++i]));
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--step-ms" -> stepMs = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --train-steps N, --threads T, --step-ms MS)");
      }
    }
    List<Row> rows = new ArrayList<>();
    rows.add(measure("fashion-mnist-subset", 28, 1, trainSteps, threads, stepMs));
    rows.add(measure("fashion-mnist-subset", 32, 3, trainSteps, threads, stepMs));
    for (String name : new String[] {"mnist", "cifar10", "emoji"}) {
      if (Files.isDirectory(DataHome.dir(name))) { // where the spec NAME reads it from
        Datasets.Shape shape = Datasets.nativeShape(name);
        rows.add(measure(name, shape.size(), shape.channels(), trainSteps, threads, stepMs));
      } else {
        System.out.println(name + ": not fetched (jdiffusion data fetch " + name + "), skipped");
      }
    }
    System.out.printf(Locale.ROOT, "%nbatch %d, %d cores, step: %s, %s%n", BATCH,
        Runtime.getRuntime().availableProcessors(),
        stepMs > 0 ? "stated " + stepMs + " ms" : "tiny U-Net fp32 measured", System.getProperty("java.vm.name") + " "
            + System.getProperty("java.version"));
    System.out.printf(Locale.ROOT, "%-52s %7s %14s %9s %10s %14s%n", "dataset", "load s", "make ms/batch",
        "step ms", "make/step", "get wait ms");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "%-52s %7.2f %14.2f %9.0f %9.2f%% %14.3f%n", r.name(), r.loadS(), r.makeMs(),
          r.stepMs(), 100 * r.makeMs() / r.stepMs(), r.waitMs());
    }
  }

  private static Row measure(String spec, int size, int channels, int trainSteps, int threads, double statedStepMs)
      throws IOException {
    long t0 = System.nanoTime();
    ImageDataset data = Datasets.open(spec, size, channels);
    double loadS = (System.nanoTime() - t0) / 1e9;
    String name = data.describe();
    name = spec + " " + channels + "x" + size + "x" + size + (name.contains("resampled") ? " (resampled per read)" : "");

    double makeMs;
    try (Batches b = new Batches(data, BATCH, 1, true, 0.1, true)) {
      for (long s = 0; s < 10; s++) {
        b.make(s);
      }
      int n = 50;
      long m0 = System.nanoTime();
      for (long s = 10; s < 10 + n; s++) {
        b.make(s);
      }
      makeMs = (System.nanoTime() - m0) / 1e6 / n;
    }

    double stepMs = statedStepMs > 0 ? statedStepMs : trainingStepMs(data, size, channels, trainSteps, threads);

    double waitMs;
    int loop = 8;
    try (Batches b = new Batches(data, BATCH, 1, true, 0.1, true)) {
      b.get(0); // the first batch is never prefetched
      long before = b.waitNanos();
      for (long s = 1; s <= loop; s++) {
        sleep((long) stepMs);
        b.get(s);
      }
      waitMs = (b.waitNanos() - before) / 1e6 / loop;
    }
    System.out.printf(Locale.ROOT, "%s: make %.2f ms/batch, step %.0f ms, get waits %.3f ms/step%n", name, makeMs,
        stepMs, waitMs);
    return new Row(name, loadS, makeMs, stepMs, waitMs);
  }

  /**
   * Milliseconds per step of the tiny U-Net at this shape, after 3 warm-up steps. Every {@link
   * Trainer#run(long)} ends with a checkpoint, so the step time is taken from the difference
   * between a run of {@code steps} steps and a run of one step, which cancels that write.
   */
  private static double trainingStepMs(ImageDataset data, int size, int channels, int steps, int threads)
      throws IOException {
    UNetConfig m = UNetConfig.tiny(channels, size, 0);
    TrainConfig c = TrainConfig.quick().toBuilder().data("bench").model(m).batchSize(BATCH).steps(steps + 4)
        .flip(true).threads(threads).logEvery(1000).checkpointEvery(1000).keepCheckpoints(1).sampleEvery(0).build();
    Path run = Files.createTempDirectory("jdiffusion-bench");
    try {
      Trainer t = new Trainer(c, data, run, false, true);
      t.run(3);
      long t0 = System.nanoTime();
      t.run(3 + steps);
      long t1 = System.nanoTime();
      t.run(4 + steps);
      long t2 = System.nanoTime();
      return ((t1 - t0) - (t2 - t1)) / 1e6 / (steps - 1);
    } finally {
      try (var walk = Files.walk(run)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException("interrupted");
    }
  }
}
