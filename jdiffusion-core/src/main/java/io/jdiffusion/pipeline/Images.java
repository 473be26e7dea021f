package io.jdiffusion.pipeline;

import io.jdiffusion.image.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated images with their shape, seeds and labels: {@code count} images of {@code channels x
 * height x width} values in [0, 1], image-major and channel-first (the [N, C, H, W] layout of a
 * tensor), as {@link java.awt.image.BufferedImage}s or PNG bytes.
 *
 * @param pixels count * channels * height * width values in [0, 1]
 * @param seeds the seed each image was drawn from, or null (interpolation frames share two)
 * @param labels the class each image was drawn with (a conditional model's class count = none), or null
 */
public record Images(float[] pixels, int count, int channels, int height, int width, long[] seeds, int[] labels) {

  public Images {
    if ((long) count * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(pixels.length + " values are not " + count + " images of " + channels + "x"
          + height + "x" + width);
    }
    if ((seeds != null && seeds.length != count) || (labels != null && labels.length != count)) {
      throw new IllegalArgumentException("one seed and one label per image");
    }
  }

  /** Images without seeds or labels (edits and frames). */
  public Images(float[] pixels, int count, int channels, int height, int width) {
    this(pixels, count, channels, height, width, null, null);
  }

  /** Image i's seed ({@code first + i} for generated images). */
  public long seed(int i) {
    if (seeds == null) {
      throw new IllegalStateException("these images have no seeds");
    }
    return seeds[i];
  }

  /** Image i as PNG bytes. */
  public byte[] png(int i) {
    return io.jdiffusion.image.Png.encode(image(i), java.util.Map.of());
  }

  /** Values per image: channels * height * width. */
  public int size() {
    return channels * height * width;
  }

  /** Image i's values, channel-first. */
  public float[] pixels(int i) {
    float[] out = new float[size()];
    System.arraycopy(pixels, i * size(), out, 0, size());
    return out;
  }

  /** Image i as an 8-bit picture: grey for one channel, RGB for three. */
  public BufferedImage image(int i) {
    return ImageGrid.toImage(pixels(i), 1, channels, height, width, 1, 0, 1);
  }

  /** Every image as an 8-bit picture. */
  public List<BufferedImage> toBufferedImages() {
    List<BufferedImage> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(image(i));
    }
    return out;
  }

  /** Writes the images as one PNG grid (square-ish, small images enlarged). */
  public void writeGrid(Path png) {
    ImageGrid.writeGrid(png, pixels, count, channels, height, width, (int) Math.ceil(Math.sqrt(count)),
        ImageGrid.DEFAULT_PADDING, ImageGrid.upscaleFor(height));
  }
}
