package io.jdiffusion.data;

import io.jdiffusion.image.ImageDecoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a list of image files, in parallel, into one compact store of {@code size x size}
 * images with 1 or 3 channels (one unsigned byte per value), through {@link ImageDecoder}.
 *
 * <p>A file is skipped, not fatal, when it cannot be decoded (corrupt, truncated, unknown format,
 * unreadable) or when its shorter side is below {@code minSide} pixels (upscaling it further
 * would only give blur); each skip is recorded with its reason, and {@link #warn} prints one
 * summary line. Shared by {@link ImageFolder} and {@link Emoji}.
 */
final class ImageStore {
  private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);
  private static final int WARN_EXAMPLES = 5;

  /** Why a file was left out. */
  enum Kind {
    /** It could not be read or decoded. */
    UNREADABLE("unreadable"),
    /** It decoded, but its shorter side is below the minimum. */
    TOO_SMALL("too small"),
    /** The dataset's index gives it no label. */
    UNLABELLED("without a label");

    final String text;

    Kind(String text) {
      this.text = text;
    }
  }

  /**
   * A file that was not loaded.
   *
   * @param path the file, relative to the dataset root
   * @param reason why, one line
   * @param kind the kind of reason
   */
  record Skip(String path, String reason, Kind kind) {
    @Override
    public String toString() {
      return path + " (" + reason + ")";
    }
  }

  /**
   * The decoded images.
   *
   * @param pixels {@code kept.length * channels * size * size} bytes, channel-major per image
   * @param kept indices, into the list of files, of the images in {@code pixels}, in order
   * @param skipped the files left out, in list order
   */
  record Result(byte[] pixels, int[] kept, List<Skip> skipped) {}

  private ImageStore() {}

  /**
   * Decodes {@code files} (all under {@code root}, which names them in skips and messages).
   *
   * @param minSide smallest accepted shorter side, in source pixels (1 accepts everything)
   * @throws DataException if the store would not fit in one array
   */
  static Result decode(Path root, List<Path> files, int size, int channels, int minSide) {
    if ((long) files.size() * channels * size * size > Idx.MAX_BYTES) { // counted in long: no overflow
      throw new DataException(
          root + ": " + files.size() + " images of " + channels + "x" + size + "x" + size
              + " do not fit in one in-memory store; use a smaller size or fewer images");
    }
    int imageBytes = channels * size * size;
    byte[] pixels = new byte[files.size() * imageBytes];
    Skip[] skips = new Skip[files.size()];
    IntStream.range(0, files.size())
        .parallel()
        .forEach(
            i -> {
              String name = root.relativize(files.get(i)).toString();
              try {
                BufferedImage image = ImageDecoder.read(files.get(i));
                int w = image.getWidth();
                int h = image.getHeight();
                if (Math.min(w, h) < minSide) {
                  skips[i] = new Skip(name, w + "x" + h + ", shorter side below " + minSide + " px", Kind.TOO_SMALL);
                  return;
                }
                byte[] one = ImageDecoder.convert(image, size, channels);
                System.arraycopy(one, 0, pixels, i * imageBytes, imageBytes);
              } catch (IOException | RuntimeException e) {
                skips[i] = new Skip(name, reason(e), Kind.UNREADABLE);
              }
            });
    int[] kept = new int[files.size()];
    List<Skip> skipped = new ArrayList<>();
    int good = 0;
    for (int i = 0; i < files.size(); i++) {
      if (skips[i] != null) {
        skipped.add(skips[i]);
        continue;
      }
      if (good != i) {
        System.arraycopy(pixels, i * imageBytes, pixels, good * imageBytes, imageBytes);
      }
      kept[good++] = i;
    }
    return new Result(Arrays.copyOf(pixels, good * imageBytes), Arrays.copyOf(kept, good), List.copyOf(skipped));
  }

  /** How many of {@code skipped} are of {@code kind}. */
  static int count(List<Skip> skipped, Kind kind) {
    return (int) skipped.stream().filter(s -> s.kind() == kind).count();
  }

  /** The exception's message on one line, or its class name. */
  static String reason(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip().replaceAll("\\s+", " ");
  }

  /**
   * Prints one warning line on standard error summarising {@code skipped} (nothing when empty):
   * how many of each {@link Kind}, and the first few with their reasons.
   */
  static void warn(Path root, List<Skip> skipped) {
    if (skipped.isEmpty()) {
      return;
    }
    LOG.warn("warning: " + summary(root, skipped));
  }

  /** The text of {@link #warn}'s line, without the "warning: " prefix. */
  static String summary(Path root, List<Skip> skipped) {
    StringBuilder sb = new StringBuilder();
    sb.append(root).append(": skipped ").append(skipped.size()).append(" file(s)");
    List<String> parts = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      long n = count(skipped, kind);
      if (n > 0) {
        parts.add(n + " " + kind.text);
      }
    }
    sb.append(" (").append(String.join(", ", parts)).append("): ");
    for (int i = 0; i < Math.min(WARN_EXAMPLES, skipped.size()); i++) {
      sb.append(i == 0 ? "" : ", ").append(skipped.get(i));
    }
    if (skipped.size() > WARN_EXAMPLES) {
      sb.append(", ...");
    }
    return sb.toString();
  }
}
