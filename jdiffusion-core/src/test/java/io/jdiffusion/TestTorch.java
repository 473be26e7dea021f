package io.jdiffusion;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Shared test set-up: libtorch started with 2 threads, and a micro U-Net that runs in milliseconds. */
public final class TestTorch {
  private TestTorch() {}

  public static void init() {
    Torch.init(2);
  }

  /** A U-Net configuration by position, as the tests write them: in, size, base, mults, blocks, attention, heads, dropout, groups, classes. */
  public static UNetConfig unet(int in, int size, int base, List<Integer> mults, int blocks, List<Integer> attention,
      int heads, double dropout, int groups, int classes) {
    return UNetConfig.builder().inChannels(in).imageSize(size).baseChannels(base).channelMults(mults)
        .numResBlocks(blocks).attentionResolutions(attention).heads(heads).dropout(dropout).groups(groups)
        .numClasses(classes).build();
  }

  /** 1x8x8, base 8, two levels, attention at 4x4: about 30 k parameters. */
  public static UNetConfig micro(int numClasses) {
    return UNetConfig.builder().imageSize(8).baseChannels(8).channelMults(List.of(1, 2)).attentionResolutions(List.of(4))
        .heads(2).groups(4).numClasses(numClasses).build();
  }

  /** Largest absolute difference between two arrays. */
  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /**
   * Lets the garbage collector and JavaCPP's deallocator finish with earlier tests' objects before a
   * test counts live native objects (the count is the whole process's).
   */
  public static void settle() {
    System.gc();
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The repository's top folder (README, bench/, scripts/), seen from the module a test runs in. */
  public static Path repoRoot() {
    return Path.of("").toAbsolutePath().getParent();
  }

  /** PyTorch 2.6's runner: {@code -Djdiffusion.pytorch26}, else ../shared/tools/pytorch26 beside the repository. */
  public static Path pytorch26() {
    String p = System.getProperty("jdiffusion.pytorch26");
    return p != null ? Path.of(p).toAbsolutePath() : repoRoot().resolve("../shared/tools/pytorch26").normalize();
  }

  /**
   * The main source folders of every module ({@code jdiffusion-X/src/main/java}), found from the
   * module a test runs in (Maven runs tests in the module's folder).
   */
  public static List<Path> mainSourceRoots() throws IOException {
    Path top = repoRoot();
    try (Stream<Path> dirs = Files.list(top)) {
      List<Path> roots = dirs.filter(d -> d.getFileName().toString().startsWith("jdiffusion-"))
          .map(d -> d.resolve("src/main/java")).filter(Files::isDirectory).sorted().toList();
      if (roots.size() < 6) {
        throw new AssertionError("expected the six modules' sources under " + top + ", found " + roots);
      }
      return roots;
    }
  }
}
