package io.jdiffusion.data;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Opens a dataset from a short textual spec, as given on the command line.
 *
 * <p>Accepted specs:
 *
 * <ul>
 *   <li>{@code fashion-mnist-subset} (the default, also for {@code null} or blank): the first
 *       10000 Fashion-MNIST training images, embedded in the jar;
 *   <li>{@code fashion-mnist}: the Fashion-MNIST training split from {@link
 *       FashionMnist#DEFAULT_DIR} (Debian package {@code dataset-fashion-mnist});
 *   <li>{@code fashion-mnist:DIR}: the training split from {@code DIR};
 *   <li>{@code fashion-mnist-test}, {@code fashion-mnist-test:DIR}: the test split;
 *   <li>any other value: the path of a folder of images, loaded by {@link ImageFolder}.
 * </ul>
 *
 * <p>Fashion-MNIST is 28x28 grey; when another {@code size} or 3 channels are requested it is
 * resampled on the fly by {@link ResizedDataset} (antialiased bilinear; grey replicated to RGB).
 */
public final class Datasets {
  /** The spec used when none is given. */
  public static final String DEFAULT_SPEC = "fashion-mnist-subset";

  /** One-line summary of the accepted specs, for help texts and error messages. */
  public static final String ACCEPTED =
      "fashion-mnist-subset (default, embedded 10000 images), fashion-mnist,"
          + " fashion-mnist:DIR, fashion-mnist-test, fashion-mnist-test:DIR,"
          + " or the path of a folder of PNG/JPEG/BMP/GIF images";

  private static final String TRAIN = "fashion-mnist";
  private static final String TEST = "fashion-mnist-test";

  private Datasets() {}

  /**
   * Opens the dataset named by {@code spec} with images of {@code channels x size x size}.
   *
   * @param spec see the class comment; {@code null} or blank means {@link #DEFAULT_SPEC}
   * @param size output height and width (28 keeps Fashion-MNIST as is)
   * @param channels 1 (grey) or 3 (RGB)
   * @throws DataException if the spec is unknown or the data cannot be loaded
   */
  public static ImageDataset open(String spec, int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new DataException("image channels must be 1 or 3, got " + channels);
    }
    if (size <= 0) {
      throw new DataException("image size must be positive, got " + size);
    }
    String s = spec == null || spec.isBlank() ? DEFAULT_SPEC : spec.strip();
    if (s.equals(DEFAULT_SPEC)) {
      return ResizedDataset.of(FashionMnist.embedded(), size, channels);
    }
    if (s.equals(TRAIN) || s.equals(TEST)) {
      return ResizedDataset.of(
          FashionMnist.load(FashionMnist.DEFAULT_DIR, s.equals(TRAIN)), size, channels);
    }
    for (String prefix : new String[] {TRAIN, TEST}) {
      if (s.startsWith(prefix + ":")) {
        String dir = s.substring(prefix.length() + 1);
        if (dir.isEmpty()) {
          throw new DataException("dataset '" + s + "': missing folder after '" + prefix + ":'");
        }
        return ResizedDataset.of(
            FashionMnist.load(path(dir, s), prefix.equals(TRAIN)), size, channels);
      }
    }
    Path path = path(s, s);
    if (Files.isDirectory(path)) {
      return ImageFolder.load(path, size, channels);
    }
    if (Files.exists(path)) {
      throw new DataException(
          "dataset '" + s + "' is a file, not a folder of images; accepted: " + ACCEPTED);
    }
    throw new DataException(
        "unknown dataset '" + s + "' (no such folder); accepted: " + ACCEPTED);
  }

  /** Whether {@code spec} names a Fashion-MNIST set (28x28 grey), embedded or on disk. */
  public static boolean isFashionMnist(String spec) {
    String s = spec == null || spec.isBlank() ? DEFAULT_SPEC : spec.strip();
    return s.equals(DEFAULT_SPEC) || s.equals(TRAIN) || s.equals(TEST)
        || s.startsWith(TRAIN + ":") || s.startsWith(TEST + ":");
  }

  private static Path path(String p, String spec) {
    try {
      return Path.of(p);
    } catch (InvalidPathException e) {
      throw new DataException("unknown dataset '" + spec + "'; accepted: " + ACCEPTED, e);
    }
  }
}
