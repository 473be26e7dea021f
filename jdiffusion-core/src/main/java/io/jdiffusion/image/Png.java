package io.jdiffusion.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** PNG encoding in memory, with text chunks (tEXt: keyword and Latin-1 value) that record provenance. */
public final class Png {
  private Png() {}

  /** {@code image} as PNG bytes with one tEXt chunk per entry of {@code text}. */
  public static byte[] encode(BufferedImage image, Map<String, String> text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      PngText.write(image, text, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }
}
