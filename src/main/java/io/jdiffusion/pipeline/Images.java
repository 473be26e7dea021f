package io.jdiffusion.pipeline;

import io.jdiffusion.image.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated images with their shape: {@code count} images of {@code channels x height x width}
 * values in [0, 1], image-major and channel-first (the [N, C, H, W] layout of a tensor).
 *
 * @param pixels count * channels * height * width values in [0, 1]
 */
public record Images(float[] pixels, int count, int channels, int height, int width) {

  public Images {
    if ((long) count * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(pixels.length + " values are not " + count + " images of " + channels + "x"
          + height + "x" + width);
    }
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
