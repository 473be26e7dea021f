package io.jdiffusion.data;

import io.jdiffusion.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A folder of image files (PNG, JPEG, BMP, GIF), searched recursively, decoded once at load time
 * into a compact byte store of {@code size x size} images with 1 or 3 channels.
 *
 * <p>Labels follow torchvision's {@code ImageFolder}: when every image lies inside an immediate
 * subfolder of the root (at any depth below it), the subfolder names, sorted, are the classes;
 * when any image lies directly in the root, the set is unlabelled. Files and folders whose names
 * start with a dot are ignored.
 *
 * <p>Each image is converted by {@link ImageDecoder}: alpha composited on white, converted to luma
 * or RGB, shorter side resized to {@code size} (antialiased bilinear), centre-cropped to a square.
 * Files that cannot be decoded, and images whose shorter side is below a minimum ({@link
 * #defaultMinSide}: a quarter of the output size, so no image is upscaled more than 4x), are
 * skipped with one warning on standard error that counts both kinds; their paths, relative to
 * the root, are listed by {@link #skipped()}. Instances are immutable and safe to read from
 * several threads.
 *
 * <p>Augmentation is not done here: horizontal flips are drawn per batch by {@link
 * io.jdiffusion.train.Batches} ({@code train --flip}), and random crops by {@link RandomCrop} (the
 * dataset spec {@code random-crop:DIR}, which loads this folder at a slightly larger size).
 */
public final class ImageFolder extends ByteImageDataset {
  /** File name extensions (lower case) that are considered images. */
  public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif");

  private final Path root;
  private final List<String> skipped;
  private final int tooSmall;

  private ImageFolder(
      Path root, int size, int channels, byte[] pixels, int[] labels, List<String> classNames,
      List<ImageStore.Skip> skipped) {
    super(pixels, labels, channels, size, size, classNames);
    this.root = root;
    this.skipped = skipped.stream().map(ImageStore.Skip::path).toList();
    this.tooSmall = ImageStore.count(skipped, ImageStore.Kind.TOO_SMALL);
  }

  /**
   * The smallest shorter side accepted for an output of {@code size}: {@code ceil(size / 4)}, so
   * that no image is enlarged more than 4x (smaller ones, such as 1x1 tracking pixels or tiny
   * favicons, would only add blur).
   */
  public static int defaultMinSide(int size) {
    return (size + 3) / 4;
  }

  /**
   * Finds and decodes every image under {@code dir}, skipping images smaller than {@link
   * #defaultMinSide}.
   *
   * @param size output height and width
   * @param channels 1 (grey) or 3 (RGB)
   * @throws DataException if {@code dir} is not a folder, holds no readable image, or the
   *     arguments are out of range
   */
  public static ImageFolder load(Path dir, int size, int channels) {
    return load(dir, size, channels, defaultMinSide(size));
  }

  /**
   * Finds and decodes every image under {@code dir}.
   *
   * @param size output height and width
   * @param channels 1 (grey) or 3 (RGB)
   * @param minSide images whose shorter side is below this many pixels are skipped (1: none)
   * @throws DataException if {@code dir} is not a folder, holds no usable image, or the
   *     arguments are out of range
   */
  public static ImageFolder load(Path dir, int size, int channels, int minSide) {
    if (channels != 1 && channels != 3) {
      throw new DataException(dir + ": image channels must be 1 or 3, got " + channels);
    }
    if (size <= 0) {
      throw new DataException(dir + ": image size must be positive, got " + size);
    }
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir + ": image folder not found");
    }
    List<ImageStore.Skip> problems = new ArrayList<>();
    List<Path> files = scan(dir, problems);
    if (files.isEmpty()) {
      throw new DataException(
          dir + ": no images found (looked recursively for ." + String.join(", .", EXTENSIONS)
              + " files)");
    }

    boolean labelled = files.stream().allMatch(f -> dir.relativize(f).getNameCount() >= 2);
    List<String> classes = List.of();
    if (labelled) {
      TreeSet<String> names = new TreeSet<>();
      files.forEach(f -> names.add(dir.relativize(f).getName(0).toString()));
      classes = List.copyOf(names);
    }

    ImageStore.Result decoded = ImageStore.decode(dir, files, size, channels, Math.max(1, minSide));
    problems.addAll(decoded.skipped());
    int good = decoded.kept().length;
    int[] labels = new int[good];
    for (int k = 0; k < good; k++) {
      Path f = files.get(decoded.kept()[k]);
      labels[k] = labelled ? Collections.binarySearch(classes, dir.relativize(f).getName(0).toString()) : -1;
    }
    ImageStore.warn(dir, problems);
    if (good == 0) {
      throw new DataException(
          dir + ": no usable images (" + files.size() + " image file(s) found, none could be"
              + " used, e.g. " + problems.get(0) + ")");
    }
    return new ImageFolder(dir, size, channels, decoded.pixels(), labels, classes, problems);
  }

  /** Image files under {@code dir}, sorted by path; unreadable entries are added to problems. */
  private static List<Path> scan(Path dir, List<ImageStore.Skip> problems) {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(
          dir,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              return !d.equals(dir) && hidden(d)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
              if (attrs.isRegularFile() && !hidden(f) && isImageName(f)) {
                files.add(f);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
              if (isImageName(f) || Files.isDirectory(f)) {
                problems.add(
                    new ImageStore.Skip(dir.relativize(f).toString(), ImageStore.reason(e), ImageStore.Kind.UNREADABLE));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new DataException(dir + ": cannot list image folder (" + e.getMessage() + ")", e);
    }
    files.sort(null);
    return files;
  }

  private static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  private static boolean isImageName(Path p) {
    Path name = p.getFileName();
    if (name == null) {
      return false;
    }
    String s = name.toString();
    int dot = s.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(s.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** Paths, relative to the root, of the files and folders that were skipped (unreadable or too small). */
  public List<String> skipped() {
    return skipped;
  }

  /** How many of {@link #skipped()} decoded but were below the minimum size. */
  public int tooSmall() {
    return tooSmall;
  }

  /** The folder the images were loaded from. */
  public Path root() {
    return root;
  }

  @Override
  public String describe() {
    String labelling = numClasses() == 0 ? "unlabelled" : numClasses() + " classes";
    String skips = skipped.isEmpty() ? ""
        : ", " + skipped.size() + " skipped" + (tooSmall > 0 ? " (" + tooSmall + " too small)" : "");
    return "image folder " + root + " (" + sizeAndShape() + ", " + labelling + skips + ")";
  }
}
