package io.jdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images that would decode wrongly or into too much memory are refused with one line. */
class ImageDecoderTest {
  @Test
  void truncatedJpegsAreRefusedNotFilledWithGrey(@TempDir Path dir) throws Exception {
    BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | (x + y));
      }
    }
    Path full = dir.resolve("full.jpg");
    assertTrue(ImageIO.write(img, "jpg", full.toFile()));
    assertEquals(96, ImageDecoder.read(full).getWidth());
    byte[] bytes = Files.readAllBytes(full);
    for (double keep : new double[] {0.8, 0.9, 0.95}) {
      Path cut = dir.resolve("cut.jpg");
      Files.write(cut, Arrays.copyOf(bytes, (int) (bytes.length * keep)));
      IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(cut), "kept " + keep);
      assertTrue(e.getMessage().startsWith("corrupt or truncated image"), e.getMessage());
    }
  }

  @Test
  void theMemoryBudgetCountsBytesNotPixels(@TempDir Path dir) throws Exception {
    Path grey8 = dir.resolve("g8.png");
    Path grey16 = dir.resolve("g16.png");
    ImageIO.write(new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png", grey8.toFile());
    ImageIO.write(new BufferedImage(100, 100, BufferedImage.TYPE_USHORT_GRAY), "png", grey16.toFile());
    assertEquals(100, ImageDecoder.read(grey8, 15_000).getWidth()); // 10 000 bytes decoded
    IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(grey16, 15_000)); // 20 000 bytes
    assertTrue(e.getMessage().contains("would take"), e.getMessage());
  }
}
