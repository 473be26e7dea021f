package io.jdiffusion.data;

import java.util.List;
import java.util.Objects;

/**
 * An {@link ImageDataset} held in memory as one unsigned byte per value: the base of the sets that
 * are decoded once, at load time ({@link Mnist}, {@link FashionMnist}, {@link Cifar10}, {@link
 * Emoji}, {@link ImageFolder}).
 *
 * <p>It keeps the pixels ({@code size() * channels * height * width} bytes, image after image,
 * each as channel planes of row-major rows), one label per image (-1 for none), the class names and
 * the shape, and answers every accessor of {@link ImageDataset} from them; {@link #read} converts
 * a byte {@code v} to {@code v / 255}. A subclass adds its loader and {@link #describe()}.
 * Instances are immutable (the arrays are never changed after construction) and safe to read from
 * several threads.
 */
public abstract class ByteImageDataset implements ImageDataset {
  private final byte[] pixels;
  private final int[] labels;
  private final int channels;
  private final int height;
  private final int width;
  private final List<String> classNames;

  /**
   * Takes ownership of {@code pixels} and {@code labels}.
   *
   * @param pixels {@code labels.length * channels * height * width} bytes
   * @param labels one per image, in {@code [0, classNames.size())}, or -1 when unlabelled
   * @param classNames the class names in label order (empty when unlabelled)
   * @throws IllegalArgumentException if the pixel count does not match the images and shape
   */
  ByteImageDataset(byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
    if (channels <= 0 || height <= 0 || width <= 0
        || pixels.length != (long) labels.length * channels * height * width) {
      throw new IllegalArgumentException(
          pixels.length + " pixel bytes do not hold " + labels.length + " images of " + channels + "x" + height + "x"
              + width);
    }
    this.pixels = pixels;
    this.labels = labels;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.classNames = List.copyOf(classNames);
  }

  /** Labels stored as unsigned bytes (IDX and CIFAR-10 files), as ints. */
  static int[] unsignedLabels(byte[] labels) {
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = labels[i] & 0xFF;
    }
    return out;
  }

  /** The stored bytes themselves, not a copy, for a loader that builds one set from another. */
  final byte[] pixelBytes() {
    return pixels;
  }

  /** "COUNT x CxHxW", the part of {@link #describe()} that every set shares. */
  final String sizeAndShape() {
    return labels.length + " x " + channels + "x" + height + "x" + width;
  }

  @Override
  public final int size() {
    return labels.length;
  }

  @Override
  public final int channels() {
    return channels;
  }

  @Override
  public final int height() {
    return height;
  }

  @Override
  public final int width() {
    return width;
  }

  @Override
  public final void read(int index, float[] dst, int offset) {
    Objects.checkIndex(index, labels.length);
    Pixels.read(pixels, index, channels * height * width, dst, offset);
  }

  @Override
  public final int label(int index) {
    return labels[Objects.checkIndex(index, labels.length)];
  }

  @Override
  public final int numClasses() {
    return classNames.size();
  }

  @Override
  public final List<String> classNames() {
    return classNames;
  }

  @Override
  public String toString() {
    return describe();
  }
}
