package io.jdiffusion.viz;

import io.jdiffusion.store.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes an animated GIF that loops forever, with the JDK's javax.imageio GIF writer: each frame
 * carries a Graphic Control Extension with its delay, and the first the NETSCAPE2.0 application
 * extension with loop count 0 (= forever). RGB frames are reduced to a 256-colour palette by the
 * writer. The file is encoded in memory and written atomically ({@link AtomicFiles}).
 */
public final class AnimatedGif {
  private static final String FORMAT = "javax_imageio_gif_image_1.0";

  private AnimatedGif() {}

  /**
   * @param frames the frames, in order, all of one size
   * @param delayMs display time of every frame but the last, in milliseconds (GIF stores 1/100 s)
   * @param lastDelayMs display time of the last frame, so that the result stays in view
   */
  public static void write(Path gif, List<BufferedImage> frames, int delayMs, int lastDelayMs) throws IOException {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("an animated GIF needs at least one frame");
    }
    if (delayMs < 0 || lastDelayMs < 0) {
      throw new IllegalArgumentException("frame delays must be >= 0 ms");
    }
    int w = frames.get(0).getWidth();
    int h = frames.get(0).getHeight();
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
    if (!writers.hasNext()) {
      throw new IOException("this Java runtime has no GIF writer");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      writer.prepareWriteSequence(null);
      for (int i = 0; i < frames.size(); i++) {
        BufferedImage f = frames.get(i);
        if (f.getWidth() != w || f.getHeight() != h) {
          throw new IllegalArgumentException("frame " + i + " is " + f.getWidth() + "x" + f.getHeight()
              + ", the first is " + w + "x" + h);
        }
        int delay = i == frames.size() - 1 ? lastDelayMs : delayMs;
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(f), param);
        configure(meta, delay, i == 0);
        writer.writeToSequence(new IIOImage(f, null, meta), param);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    AtomicFiles.write(gif, ByteBuffer.wrap(bytes.toByteArray()));
  }

  /** Sets the frame's delay and disposal, and on the first frame the looping extension. */
  private static void configure(IIOMetadata meta, int delayMs, boolean first) throws IOException {
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
    IIOMetadataNode gce = child(root, "GraphicControlExtension");
    gce.setAttribute("disposalMethod", "none");
    gce.setAttribute("userInputFlag", "FALSE");
    gce.setAttribute("transparentColorFlag", "FALSE");
    gce.setAttribute("delayTime", Integer.toString(Math.round(delayMs / 10f)));
    gce.setAttribute("transparentColorIndex", "0");
    if (first) {
      IIOMetadataNode apps = child(root, "ApplicationExtensions");
      IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
      app.setAttribute("applicationID", "NETSCAPE");
      app.setAttribute("authenticationCode", "2.0");
      app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1: loop count 0 (little-endian) = forever
      apps.appendChild(app);
    }
    meta.setFromTree(FORMAT, root);
  }

  /** The child called {@code name}, created when missing. */
  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }
}
