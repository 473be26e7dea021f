package io.jdiffusion.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 28x28 grey images of clothing in 10 classes,
 * read from the upstream IDX files.
 *
 * <p>{@link #load(Path, boolean)} reads the train ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}) or test ({@code t10k-*}) pair from a directory, gzipped
 * ({@code .gz}) or not; by default {@link #DEFAULT_DIR}, where Debian's {@code
 * dataset-fashion-mnist} package installs them. {@link #embedded()} reads the first 10000
 * training images, bundled as classpath resources. Any IDX image/label pair with labels 0..9 and
 * any image size (MNIST, for instance) loads the same way.
 *
 * <p>Pixels are kept as one unsigned byte each and converted to floats in [0, 1] on {@link #read}.
 * Instances are immutable and safe to read from several threads.
 */
public final class FashionMnist extends ByteImageDataset {
  /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The ten class names, in label order. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** Classpath folder of the embedded subset. */
  static final String EMBEDDED_RESOURCE_DIR = "/io/jdiffusion/data/fashion-mnist-subset/";

  private static final String[] UPSTREAM_FILES = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
  };

  private final String description;

  private FashionMnist(Idx.Images images, byte[] labels, String description) {
    super(images.pixels(), unsignedLabels(labels), 1, images.rows(), images.cols(), CLASS_NAMES);
    this.description = description;
  }

  /**
   * Loads the training ({@code train == true}) or test split from {@code dir}, which holds the
   * upstream files under their canonical names, each either gzipped ({@code .gz}) or not.
   *
   * @throws DataException if the folder or a file is missing, malformed, or the image and label
   *     counts differ
   */
  public static FashionMnist load(Path dir, boolean train) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          "Fashion-MNIST folder " + dir + " not found: install it with"
              + " `apt-get install dataset-fashion-mnist` (files go to " + DEFAULT_DIR + ")"
              + " or download " + String.join(", ", UPSTREAM_FILES)
              + " from https://github.com/zalandoresearch/fashion-mnist into " + dir);
    }
    String prefix = train ? "train" : "t10k";
    Path imagesFile = find(dir, prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte");
    Path labelsFile = find(dir, prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte");
    int announced = Idx.imageCount(imagesFile);
    int labelCount = Idx.labelCount(labelsFile);
    if (announced != labelCount) { // from the headers, before any payload is decompressed
      throw new DataException(labelsFile + ": " + labelCount + " labels but " + imagesFile + " has " + announced
          + " images");
    }
    Idx.Images images = Idx.readImages(imagesFile);
    byte[] labels = Idx.readLabels(labelsFile);
    String split = train ? "train" : "test";
    return of(images, labels, imagesFile.toString(), labelsFile.toString(), "fashion-mnist " + split);
  }

  /**
   * Loads the bundled subset: the first 10000 Fashion-MNIST training images and labels.
   *
   * @throws DataException if the resources are missing from the classpath
   */
  public static FashionMnist embedded() {
    String imagesName = EMBEDDED_RESOURCE_DIR + "train-images-idx3-ubyte.gz";
    String labelsName = EMBEDDED_RESOURCE_DIR + "train-labels-idx1-ubyte.gz";
    Idx.Images images;
    byte[] labels;
    try (InputStream in = resource(imagesName)) {
      images = Idx.readImages(in, "classpath:" + imagesName);
    } catch (IOException e) {
      throw new DataException("classpath:" + imagesName + ": cannot read (" + e + ")", e);
    }
    try (InputStream in = resource(labelsName)) {
      labels = Idx.readLabels(in, "classpath:" + labelsName);
    } catch (IOException e) {
      throw new DataException("classpath:" + labelsName + ": cannot read (" + e + ")", e);
    }
    return of(
        images,
        labels,
        "classpath:" + imagesName,
        "classpath:" + labelsName,
        "fashion-mnist-subset embedded");
  }

  /** Validates an image/label pair and wraps it; names are used in error messages. */
  static FashionMnist of(
      Idx.Images images, byte[] labels, String imagesName, String labelsName, String description) {
    if (images.count() != labels.length) {
      throw new DataException(
          labelsName + ": " + labels.length + " labels but " + imagesName + " has "
              + images.count() + " images");
    }
    if (images.count() == 0) {
      throw new DataException(imagesName + ": contains no images");
    }
    for (int i = 0; i < labels.length; i++) {
      int label = labels[i] & 0xFF;
      if (label >= CLASS_NAMES.size()) {
        throw new DataException(
            labelsName + ": label " + label + " at index " + i + " is outside 0.."
                + (CLASS_NAMES.size() - 1));
      }
    }
    return new FashionMnist(images, labels, description);
  }

  private static Path find(Path dir, String... names) {
    for (String name : names) {
      for (String candidate : new String[] {name, name + ".gz"}) {
        Path p = dir.resolve(candidate);
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    throw new DataException(
        dir + ": missing " + names[0] + ".gz (or uncompressed " + names[0] + "); download it from"
            + " https://github.com/zalandoresearch/fashion-mnist or"
            + " `apt-get install dataset-fashion-mnist`");
  }

  private static InputStream resource(String name) {
    InputStream in = FashionMnist.class.getResourceAsStream(name);
    if (in == null) {
      throw new DataException(
          "classpath:" + name + ": embedded Fashion-MNIST subset missing from the classpath;"
              + " rebuild the jar, or use the dataset spec fashion-mnist with the Debian package");
    }
    return in;
  }

  @Override
  public String describe() {
    return description + " (" + sizeAndShape() + ")";
  }
}
