package io.jdiffusion.cli;

import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.util.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --nproc} of the commands that generate images ({@code sample}, {@code evaluate}), and the
 * hidden options of their shard processes ({@link ShardedSampling}): one place for both sides.
 */
public final class ShardFlags {
  @Option(names = "--nproc", description = "Processes to generate the images with (image i is still seed + i: the "
      + "same images as one process; default 1).")
  Integer nproc;
  @Option(names = "--shard", hidden = true, description = "K/N: generate only shard K of N (set by --nproc).")
  String shard;
  @Option(names = "--shard-out", hidden = true, description = "Where a shard process writes its images.")
  Path shardOut;

  /** The number of processes, checked against the n images to share. */
  int processes(int n) {
    int processes = nproc != null ? nproc : 1;
    if (processes < 1 || processes > Math.min(n, 256)) {
      throw new IllegalArgumentException("--nproc must be between 1 and min(--num, 256), got " + processes);
    }
    return processes;
  }

  /** This process's index among the processes on this machine: its shard, 0 for the parent. */
  int localRank() {
    return shard == null ? 0 : ShardedSampling.shardIndex(shard);
  }

  /** Whether this process is a shard process (started by another's --nproc). */
  boolean isShard() {
    return shard != null;
  }

  /**
   * In a shard process: generates its images of the n of the whole run (image i from seed + i with
   * label i) and hands them to the parent.
   *
   * @param labels the whole run's labels, or null
   */
  void generateShard(TrainedModel m, int n, int[] labels, double guidance, SampleOptions o) throws IOException {
    int[] range = ShardedSampling.range(shard, shardOut, n);
    ShardedSampling.write(shardOut, Generate.images(m, range[1] - range[0],
        labels == null ? null : Arrays.copyOfRange(labels, range[0], range[1]), guidance,
        o.withSeed(o.seed() + range[0]), null));
  }

  /**
   * The n images, from {@link #processes} processes: this one makes the first shard, the others run
   * {@code command} again with the same arguments; one process: here, with {@code progress}.
   */
  float[] generate(CommandSpec spec, String command, TrainedModel m, int n, int[] labels, double guidance,
      SampleOptions o, Progress progress) throws IOException, InterruptedException {
    int processes = processes(n);
    if (processes == 1) {
      return Generate.images(m, n, labels, guidance, o, progress);
    }
    int per = m.config().inChannels() * m.config().imageSize() * m.config().imageSize();
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    return ShardedSampling.run(command, args.subList(args.indexOf(command) + 1, args.size()), n, processes, per,
        DataParallel.threadsPerProcess(processes), end -> Generate.images(m, end,
            labels == null ? null : Arrays.copyOf(labels, end), guidance, o, null));
  }
}
