package io.jdiffusion.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Random-crop augmentation: a view of a square dataset of side {@code size + margin} that yields
 * {@code size x size} windows, at a random position each time an image is drawn into a batch
 * ({@link Augmented#read(int, float[], int, SplittableRandom)}), and the central window
 * otherwise.
 *
 * <p>The dataset spec {@code random-crop:DIR} loads an image folder at {@link #sourceSize} (shorter
 * side resized to {@code size * 9/8}, centre square kept) and wraps it in this view: small random
 * translations, as in the usual "resize, then random crop" recipe, instead of {@link ImageFolder}'s
 * fixed centre crop. Horizontal flips are separate ({@code io.jdiffusion.train.Batches}).
 */
public final class RandomCrop extends DatasetView implements Augmented {
  private final int size;
  private final int margin;

  private RandomCrop(ImageDataset source, int size) {
    super(source);
    this.size = size;
    this.margin = source.height() - size;
  }

  /** The side to load images at for crops of {@code size}: {@code size + max(1, round(size / 8))}. */
  public static int sourceSize(int size) {
    return size + Math.max(1, Math.round(size / 8f));
  }

  /**
   * Wraps {@code source}, whose images must be square and at least {@code size} on a side.
   *
   * @throws DataException if they are not
   */
  public static RandomCrop of(ImageDataset source, int size) {
    if (source.height() != source.width() || source.height() < size || size <= 0) {
      throw new DataException(
          source.describe() + ": cannot take " + size + "x" + size + " crops of "
              + source.height() + "x" + source.width() + " images");
    }
    return new RandomCrop(source, size);
  }

  @Override
  public void read(int index, float[] dst, int offset) {
    crop(index, dst, offset, margin / 2, margin / 2);
  }

  @Override
  public void read(int index, float[] dst, int offset, SplittableRandom rng) {
    crop(index, dst, offset, rng.nextInt(margin + 1), rng.nextInt(margin + 1));
  }

  private void crop(int index, float[] dst, int offset, int x0, int y0) {
    Objects.checkIndex(index, source.size());
    int side = source.height();
    float[] full = new float[source.imageSize()];
    source.read(index, full, 0);
    for (int c = 0; c < source.channels(); c++) {
      for (int y = 0; y < size; y++) {
        System.arraycopy(full, c * side * side + (y0 + y) * side + x0, dst, offset + (c * size + y) * size, size);
      }
    }
  }

  /** Pixels cut from each side in total: the source side minus the crop side. */
  public int margin() {
    return margin;
  }

  @Override
  public int channels() {
    return source.channels();
  }

  @Override
  public int height() {
    return size;
  }

  @Override
  public int width() {
    return size;
  }

  @Override
  public String describe() {
    return source.describe() + ", random " + size + "x" + size + " crops";
  }

}
