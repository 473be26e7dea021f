package io.jdiffusion.pipeline;

import io.jdiffusion.image.ImageDecoder;
import io.jdiffusion.nn.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Input images for editing, read at the model's resolution and channel count by {@link
 * ImageDecoder} (alpha on white, shorter side resized with antialiasing, centre crop).
 */
public final class InputImages {
  private InputImages() {}

  /** The image in {@code file} as C x S x S values in [0, 1], channel-major. */
  public static float[] read(Path file, UNetConfig c) {
    return of(decoded(file), c);
  }

  /** A decoded image (an upload) as C x S x S values in [0, 1], converted as {@link #read(Path, UNetConfig)}. */
  public static float[] of(java.awt.image.BufferedImage image, UNetConfig c) {
    byte[] bytes = ImageDecoder.convert(image, c.imageSize(), c.inChannels());
    float[] v = new float[bytes.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (bytes[i] & 0xFF) / 255f;
    }
    return v;
  }

  /**
   * A mask PNG as S x S values: 1 where it is light (grey level above one half: the region to fill),
   * 0 where it is dark (the region to keep).
   */
  public static float[] readMask(Path file, int size) {
    return threshold(decode(file, size, 1));
  }

  /**
   * {@link #readMask(Path, int)} for the image {@code image}: the mask must have the image's width
   * and height, pixel for pixel (both are resized and cropped the same way, so a mask of another size
   * would mark another region).
   */
  public static float[] readMask(Path file, int size, Path image) {
    java.awt.image.BufferedImage m = decoded(file);
    java.awt.image.BufferedImage i = decoded(image);
    if (m.getWidth() != i.getWidth() || m.getHeight() != i.getHeight()) {
      throw new IllegalArgumentException(file + ": the mask is " + m.getWidth() + "x" + m.getHeight() + " pixels, the image "
          + image + " " + i.getWidth() + "x" + i.getHeight() + "; a mask must have its image's size");
    }
    return mask(m, size);
  }

  /**
   * A decoded mask as S x S values, 1 where it is light (fill), 0 where dark (keep), converted as
   * {@link #readMask(Path, int, Path)}; the caller checks that it has its image's size.
   */
  public static float[] mask(java.awt.image.BufferedImage mask, int size) {
    return threshold(ImageDecoder.convert(mask, size, 1));
  }

  /**
   * An RGB image for a text-to-image pipeline's edits, as [3, height, width] values in [0, 1]:
   * transparency composited on white, the whole image resized (not cropped) to width x height with an
   * antialiased tent filter when its size differs (diffusers' image processor resizes with Lanczos, so
   * a resized input differs slightly from diffusers'; one already of that size is read exactly).
   */
  public static float[] rgb(Path file, int width, int height) {
    return planes(decoded(file), 3, width, height);
  }

  /**
   * A mask for a text-to-image pipeline's inpainting, as [height, width] values: 1 where its grey
   * level is at least one half (diffusers' mask processor binarizes at 0.5: repaint), else 0.
   */
  public static float[] rgbMask(Path file, int width, int height) {
    float[] grey = planes(decoded(file), 1, width, height);
    for (int i = 0; i < grey.length; i++) {
      grey[i] = Math.round(grey[i] * 255) / 255f >= 0.5f ? 1f : 0f;
    }
    return grey;
  }

  /** Width and height of an image file. */
  public static int[] size(Path file) {
    java.awt.image.BufferedImage b = decoded(file);
    return new int[] {b.getWidth(), b.getHeight()};
  }

  /** The image's channels (3: RGB; 1: ITU-R 601 luma, as PIL's "L") resized to width x height, in [0, 1]. */
  private static float[] planes(java.awt.image.BufferedImage b, int channels, int width, int height) {
    int iw = b.getWidth();
    int ih = b.getHeight();
    float[] src = new float[channels * iw * ih];
    for (int y = 0; y < ih; y++) {
      for (int x = 0; x < iw; x++) {
        int argb = b.getRGB(x, y);
        double a = (argb >>> 24) / 255.0;
        double r = ((argb >> 16) & 0xFF) * a + 255 * (1 - a);
        double g = ((argb >> 8) & 0xFF) * a + 255 * (1 - a);
        double bl = (argb & 0xFF) * a + 255 * (1 - a);
        int p = y * iw + x;
        if (channels == 3) {
          src[p] = (float) (Math.round(r) / 255.0);
          src[iw * ih + p] = (float) (Math.round(g) / 255.0);
          src[2 * iw * ih + p] = (float) (Math.round(bl) / 255.0);
        } else {
          src[p] = (float) (Math.round((r * 299 + g * 587 + bl * 114) / 1000) / 255.0);
        }
      }
    }
    if (iw == width && ih == height) {
      return src;
    }
    io.jdiffusion.image.Resample.Axis ys = io.jdiffusion.image.Resample.axis(ih, 0, ih, height);
    io.jdiffusion.image.Resample.Axis xs = io.jdiffusion.image.Resample.axis(iw, 0, iw, width);
    float[] out = new float[channels * width * height];
    for (int c = 0; c < channels; c++) {
      io.jdiffusion.image.Resample.plane(src, c * iw * ih, ys, xs, out, c * width * height);
    }
    return out;
  }

  private static float[] threshold(byte[] bytes) {
    float[] v = new float[bytes.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (bytes[i] & 0xFF) > 127 ? 1f : 0f;
    }
    return v;
  }

  private static byte[] decode(Path file, int size, int channels) {
    return ImageDecoder.convert(decoded(file), size, channels);
  }

  private static java.awt.image.BufferedImage decoded(Path file) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(file + " is a folder, not an image file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such image file");
    }
    try {
      return ImageDecoder.read(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the image (" + e.getMessage() + ")");
    }
  }
}
