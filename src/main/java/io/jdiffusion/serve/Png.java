package io.jdiffusion.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** PNG encoding in memory, with text chunks (tEXt: keyword and Latin-1 value) that record provenance. */
final class Png {
  private static final String FORMAT = "javax_imageio_png_1.0";

  private Png() {}

  /** {@code image} as PNG bytes with one tEXt chunk per entry of {@code text}. */
  static byte[] encode(BufferedImage image, Map<String, String> text) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
      if (!text.isEmpty()) {
        IIOMetadataNode chunk = new IIOMetadataNode("tEXt");
        text.forEach((k, v) -> {
          IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
          entry.setAttribute("keyword", k);
          entry.setAttribute("value", v);
          chunk.appendChild(entry);
        });
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        root.appendChild(chunk);
        meta.mergeTree(FORMAT, root);
      }
      writer.write(new IIOImage(image, null, meta));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
