package io.jdiffusion.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

class AnimatedGifTest {
  private static final String FORMAT = "javax_imageio_gif_image_1.0";

  private static BufferedImage solid(int w, int h, Color c) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, c.getRGB());
      }
    }
    return img;
  }

  private static IIOMetadataNode find(Node root, String name) {
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeName().equals(name)) {
        return (IIOMetadataNode) n;
      }
    }
    return null;
  }

  @Test
  void writesEveryFrameLoopsForeverAndKeepsTheDelays(@TempDir Path dir) throws Exception {
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      frames.add(solid(20, 12, new Color(i * 35, 255 - i * 35, 60)));
    }
    Path gif = dir.resolve("anim.gif");
    AnimatedGif.write(gif, frames, 80, 2000);
    try (var listing = Files.list(dir)) {
      assertEquals(List.of(gif), listing.toList(), "no temporary file left behind");
    }
    ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      r.setInput(in);
      assertEquals(7, r.getNumImages(true));
      for (int i = 0; i < 7; i++) {
        BufferedImage f = r.read(i);
        assertEquals(20, f.getWidth());
        assertEquals(12, f.getHeight());
        Color c = new Color(f.getRGB(5, 5));
        assertEquals(i * 35, c.getRed(), 8, "frame " + i);
        Node root = r.getImageMetadata(i).getAsTree(FORMAT);
        IIOMetadataNode gce = find(root, "GraphicControlExtension");
        assertNotNull(gce);
        assertEquals(i == 6 ? "200" : "8", gce.getAttribute("delayTime"), "frame " + i + " delay in 1/100 s");
      }
      IIOMetadataNode apps = find(r.getImageMetadata(0).getAsTree(FORMAT), "ApplicationExtensions");
      assertNotNull(apps, "the first frame carries the application extension");
      IIOMetadataNode app = (IIOMetadataNode) apps.getFirstChild();
      assertEquals("NETSCAPE", app.getAttribute("applicationID"));
      assertEquals("2.0", app.getAttribute("authenticationCode"));
      assertArrayEquals(new byte[] {1, 0, 0}, (byte[]) app.getUserObject(), "loop count 0 = forever");
    } finally {
      r.dispose();
    }
  }

  @Test
  void rejectsEmptyOrMismatchedFrames(@TempDir Path dir) {
    Path gif = dir.resolve("bad.gif");
    assertThrows(IllegalArgumentException.class, () -> AnimatedGif.write(gif, List.of(), 80, 80));
    assertThrows(IllegalArgumentException.class, () -> AnimatedGif.write(gif,
        List.of(solid(4, 4, Color.RED), solid(5, 4, Color.RED)), 80, 80));
    assertTrue(!Files.exists(gif));
  }
}
