package io.jdiffusion.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * {@code sample --nproc N}: the images split into N contiguous shards, one process each (this one
 * takes the first). Image i is drawn from seed + i whatever process makes it, so the result is the
 * unsharded one, image for image. Shards come back as raw float files in a temporary folder.
 */
final class ShardedSampling {
  /** Options of the parent's command line that the shard processes get their own value of. */
  private static final Set<String> OWN = Set.of("--nproc", "--threads", "--out", "-o", "--each", "--cols");
  /** Flags without a value that the shard processes set themselves. */
  private static final Set<String> OWN_FLAGS = Set.of("-q", "--quiet");

  private ShardedSampling() {}

  /** First image of shard k of N over n images: shards differ in size by at most one. */
  static int start(int k, int shards, int n) {
    return (int) ((long) n * k / shards);
  }

  /**
   * Runs shard 0 here (via {@code local}, which samples a range) and shards 1..N-1 in child processes.
   *
   * @param args the parent's own arguments after the command name
   * @param perImage floats per image
   * @return n images, in order
   */
  static float[] run(String command, List<String> args, int n, int shards, int perImage, int threads,
      IntFunction<float[]> local) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("jdiffusion-shards");
    List<Process> children = new ArrayList<>();
    try {
      for (int k = 1; k < shards; k++) {
        List<String> cmd = DataParallel.javaCommand();
        cmd.add(command);
        cmd.addAll(without(args));
        cmd.addAll(List.of("--threads", Integer.toString(threads), "--shard", k + "/" + shards, "--shard-out",
            dir.resolve(k + ".f32").toString(), "-q"));
        children.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
      float[] out = new float[n * perImage];
      float[] first = local.apply(start(1, shards, n));
      System.arraycopy(first, 0, out, 0, first.length);
      for (int k = 1; k < shards; k++) {
        Process p = children.get(k - 1);
        p.waitFor();
        if (p.exitValue() != 0) {
          throw new DataParallel.ProcessLost("sampling shard " + k + " of " + shards + " ended with exit code "
              + p.exitValue(), null);
        }
        float[] part = read(dir.resolve(k + ".f32"));
        int from = start(k, shards, n) * perImage;
        if (part.length != (start(k + 1, shards, n) - start(k, shards, n)) * perImage) {
          throw new DataParallel.ProcessLost("sampling shard " + k + " returned " + part.length + " values", null);
        }
        System.arraycopy(part, 0, out, from, part.length);
      }
      return out;
    } finally {
      for (Process p : children) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** [first, end) of shard "K/N" of n images, checking the shard options. */
  static int[] range(String shard, Path out, int n) {
    int[] kn = shard(shard);
    if (out == null) {
      throw new IllegalArgumentException("--shard must be K/N with 0 <= K < N, and --shard-out given");
    }
    return new int[] {start(kn[0], kn[1], n), start(kn[0] + 1, kn[1], n)};
  }

  /** K of a shard K/N. */
  static int shardIndex(String shard) {
    return shard(shard)[0];
  }

  /** K and N of a shard K/N, checked. */
  private static int[] shard(String shard) {
    String[] kn = shard.split("/");
    int k;
    int shards;
    try {
      k = Integer.parseInt(kn[0]);
      shards = Integer.parseInt(kn[kn.length - 1]);
    } catch (NumberFormatException e) {
      k = -1;
      shards = 0;
    }
    if (kn.length != 2 || shards < 1 || k < 0 || k >= shards) {
      throw new IllegalArgumentException("--shard must be K/N with 0 <= K < N, and --shard-out given");
    }
    return new int[] {k, shards};
  }

  /** The arguments without those the shard processes get their own value of (and their values). */
  static List<String> without(List<String> args) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (OWN_FLAGS.contains(a)) {
        continue;
      }
      if (OWN.contains(name)) {
        i += a.contains("=") ? 0 : 1; // skip its value too
      } else {
        kept.add(a);
      }
    }
    return kept;
  }

  /** Writes a shard's images as little-endian float32. */
  static void write(Path file, float[] values) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    io.jdiffusion.store.AtomicFiles.write(file, b);
  }

  private static float[] read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(out);
    return out;
  }
}
