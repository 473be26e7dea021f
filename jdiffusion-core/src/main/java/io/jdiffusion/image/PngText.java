package io.jdiffusion.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG with text chunks: where a picture came from travels inside it (PNG's {@code tEXt} chunks,
 * keyword and Latin-1 text, as other tools write "Software" or "parameters"). {@code exiftool},
 * {@code identify -verbose} and image viewers show them.
 */
public final class PngText {
  private static final String FORMAT = "javax_imageio_png_1.0";

  private PngText() {}

  /** Encodes {@code image} as PNG into {@code out} with the text chunks {@code text}, in order. */
  public static void write(BufferedImage image, Map<String, String> text, OutputStream out) throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    if (!writers.hasNext()) {
      throw new IOException("no PNG writer available");
    }
    ImageWriter writer = writers.next();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
      if (!text.isEmpty()) {
        IIOMetadataNode chunks = new IIOMetadataNode("tEXt");
        for (Map.Entry<String, String> e : text.entrySet()) {
          IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
          entry.setAttribute("keyword", e.getKey());
          entry.setAttribute("value", latin1(e.getValue()));
          chunks.appendChild(entry);
        }
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        root.appendChild(chunks);
        meta.mergeTree(FORMAT, root);
      }
      writer.setOutput(ios);
      writer.write(new IIOImage(image, null, meta));
    } finally {
      writer.dispose();
    }
  }

  /** The text chunks of a PNG file, in order (empty when it has none). */
  public static Map<String, String> read(Path png) throws IOException {
    Map<String, String> text = new LinkedHashMap<>();
    try (java.io.InputStream file = Files.newInputStream(png);
        ImageInputStream in = ImageIO.createImageInputStream(file)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IOException(png + ": not an image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in);
        Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n.getNodeName().equals("tEXt")) {
            for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
              text.put(((IIOMetadataNode) e).getAttribute("keyword"), ((IIOMetadataNode) e).getAttribute("value"));
            }
          }
        }
      } finally {
        reader.dispose();
      }
    }
    return text;
  }

  /** tEXt holds Latin-1: other characters become '?'. */
  private static String latin1(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 256 ? c : '?');
    }
    return b.toString();
  }
}
