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
