package io.jdiffusion.data;

import io.jdiffusion.image.Resample;

/**
 * A view of another {@link ImageDataset} resampled, on every {@link #read}, to {@code size x size}
 * pixels and 1 or 3 channels.
 *
 * <p>The shorter side is resized to {@code size} with antialiased bilinear filtering ({@link
 * Resample}) and the central square kept; grey is replicated into RGB, and RGB is reduced to luma
 * ({@code 0.299 R + 0.587 G + 0.114 B}). Labels and class names pass through. Used to feed the
 * 28x28 grey Fashion-MNIST to a model built for another shape; results are not cached, which costs
 * a few microseconds per image and no memory.
 */
public final class ResizedDataset extends DatasetView {
  private final int size;
  private final int channels;
  private final Resample.Axis ys;
  private final Resample.Axis xs;

  private ResizedDataset(ImageDataset source, int size, int channels) {
    super(source);
    this.size = size;
    this.channels = channels;
    Resample.Axis[] axes = Resample.centerCrop(source.height(), source.width(), size);
    this.ys = axes[0];
    this.xs = axes[1];
  }

  /**
   * Returns {@code source} itself when it already has the requested shape, otherwise a resampling
   * view of it.
   *
   * @throws DataException if {@code size < 1} or {@code channels} is not 1 or 3
   */
  public static ImageDataset of(ImageDataset source, int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new DataException(source.describe() + ": channels must be 1 or 3, got " + channels);
    }
    if (size <= 0) {
      throw new DataException(source.describe() + ": image size must be positive, got " + size);
    }
    if (source.channels() != 1 && source.channels() != 3) {
      throw new DataException(
          source.describe() + ": cannot convert " + source.channels() + "-channel images");
    }
    if (source.height() == size && source.width() == size && source.channels() == channels) {
      return source;
    }
    return new ResizedDataset(source, size, channels);
  }

  @Override
  public int channels() {
    return channels;
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
  public void read(int index, float[] dst, int offset) {
    int srcC = source.channels();
    int srcPlane = source.height() * source.width();
    int plane = size * size;
    float[] src = new float[source.imageSize()];
    source.read(index, src, 0);
    if (srcC == channels) {
      for (int c = 0; c < channels; c++) {
        Resample.plane(src, c * srcPlane, ys, xs, dst, offset + c * plane);
      }
    } else if (srcC == 1) { // grey -> RGB
      Resample.plane(src, 0, ys, xs, dst, offset);
      System.arraycopy(dst, offset, dst, offset + plane, plane);
      System.arraycopy(dst, offset, dst, offset + 2 * plane, plane);
    } else { // RGB -> luma, then resample one plane
      float[] luma = new float[srcPlane];
      for (int i = 0; i < srcPlane; i++) {
        luma[i] = 0.299f * src[i] + 0.587f * src[srcPlane + i] + 0.114f * src[2 * srcPlane + i];
      }
      Resample.plane(luma, 0, ys, xs, dst, offset);
    }
    for (int i = offset, end = offset + channels * plane; i < end; i++) {
      dst[i] = Math.min(1f, Math.max(0f, dst[i])); // guard against rounding just outside [0, 1]
    }
  }

  @Override
  public String describe() {
    return source.describe() + " resampled to " + channels + "x" + size + "x" + size;
  }

}
