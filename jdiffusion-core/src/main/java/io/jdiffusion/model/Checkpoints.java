package io.jdiffusion.model;

import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Where a training run keeps its checkpoints, and what sampling needs to find and check them: files
 * {@code RUN/checkpoints/step-NNNNNNN.safetensors} ({@link ModelFile} format "checkpoint"). Writing
 * and resuming are the training module's ({@code io.jdiffusion.train.Checkpoint}); this class only
 * reads, so that an application that samples needs no training code.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * Fashion-MNIST's ten class names in label order: first-version checkpoints of Fashion-MNIST runs
   * stored no names, and loading falls back to these ({@link #legacyClassNames}).
   */
  public static final List<String> FASHION_MNIST_CLASS_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** Path of the checkpoint for {@code step} in {@code runDir}. */
  public static Path pathFor(Path runDir, long step) {
    return runDir.resolve("checkpoints").resolve(String.format("step-%07d.safetensors", step));
  }

  /** Checkpoint files of a run, oldest first: by step number, not by name (step-10000000 follows step-9999999). */
  public static List<Path> list(Path runDir) throws IOException {
    Path dir = runDir.resolve("checkpoints");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("step-\\d{1,18}\\.safetensors"))
          .sorted(Comparator.comparingLong(Checkpoints::stepOf)).toList());
    }
  }

  /** The step number in a checkpoint's file name. */
  public static long stepOf(Path file) {
    String n = file.getFileName().toString();
    return Long.parseLong(n.substring("step-".length(), n.length() - ".safetensors".length()));
  }

  /**
   * Whether {@code dir} is a run's checkpoints folder itself (named {@code checkpoints}, with no
   * checkpoints folder inside), which users name where the run directory is meant.
   */
  public static boolean isCheckpointsFolder(Path dir) {
    Path name = dir.getFileName();
    return name != null && name.toString().equals("checkpoints") && Files.isDirectory(dir)
        && !Files.isDirectory(dir.resolve("checkpoints"));
  }

  /** The newest checkpoint of a run, if any. */
  public static Optional<Path> latest(Path runDir) throws IOException {
    List<Path> all = list(runDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The newest checkpoint of a run older than {@code file} that can be sampled from, if any. */
  public static Optional<Path> newestValidBefore(Path runDir, Path file) throws IOException {
    return newestValidBefore(runDir, file, Checkpoints::readable);
  }

  /** The newest checkpoint of a run older than {@code file} that passes {@code valid}, if any. */
  public static Optional<Path> newestValidBefore(Path runDir, Path file, Predicate<Path> valid) throws IOException {
    List<Path> all = list(runDir);
    for (int i = all.indexOf(file) - 1; i >= 0; i--) {
      if (valid.test(all.get(i))) {
        return Optional.of(all.get(i));
      }
    }
    return Optional.empty();
  }

  /** Whether {@code file} verifies (checksum) and is a checkpoint with plausible step counts. */
  private static boolean readable(Path file) {
    try {
      Safetensors.Contents c = Safetensors.read(file);
      if (!ModelFile.isCheckpoint(c)) {
        return false;
      }
      steps(c.metadata(), file.toString());
      return true;
    } catch (StoreException e) {
      return false;
    }
  }

  /**
   * The step and the optimizer steps a checkpoint's metadata records, checked (0 &lt;= optimizer steps
   * &lt;= step): a checkpoint whose counts are impossible is corrupt, for sampling as for resuming.
   *
   * @throws StoreException when they are missing, not numbers, or impossible
   */
  public static long[] steps(Map<String, String> metadata, String file) {
    try {
      long step = Long.parseLong(metadata.get("step"));
      long optSteps = Long.parseLong(metadata.get("optimizer_steps"));
      if (step < 0 || optSteps < 0 || optSteps > step) {
        throw new IllegalArgumentException("step " + step + ", optimizer steps " + optSteps);
      }
      return new long[] {step, optSteps};
    } catch (RuntimeException e) {
      throw new StoreException(file + ": unreadable checkpoint metadata (" + e.getMessage() + ")");
    }
  }

  /**
   * Class names for a checkpoint that stored none: Fashion-MNIST's when it has ten classes and its
   * training configuration names the embedded subset or a Fashion-MNIST set (the first version's runs
   * stored no names); otherwise none.
   *
   * @param trainingData the "data" field of the checkpoint's training configuration ("" when absent)
   */
  public static List<String> legacyClassNames(int numClasses, String trainingData) {
    if (numClasses != FASHION_MNIST_CLASS_NAMES.size()) {
      return List.of();
    }
    String s = trainingData == null ? "" : trainingData.strip();
    s = s.startsWith("data:") ? s.substring("data:".length()) : s;
    boolean fashion = s.isEmpty() || s.equals("fashion-mnist-subset") || s.equals("fashion-mnist")
        || s.equals("fashion-mnist-test") || s.startsWith("fashion-mnist:") || s.startsWith("fashion-mnist-test:");
    return fashion ? FASHION_MNIST_CLASS_NAMES : List.of();
  }
}
