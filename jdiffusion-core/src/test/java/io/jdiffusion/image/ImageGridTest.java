package io.jdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
  @TempDir Path dir;

  private static int grey(BufferedImage img, int x, int y) {
    return img.getRaster().getSample(x, y, 0);
  }

  @Test
  void greyGridHasExpectedSizeLayoutAndValues() throws IOException {
    int n = 5;
    int h = 4;
    int w = 3;
    float[] images = new float[n * h * w];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < h * w; i++) {
        images[k * h * w + i] = k / 4f; // image k is uniformly k/4
      }
    }
    images[0] = -3f; // clamped to 0
    images[1] = 7f; // clamped to 1
    images[2] = Float.NaN; // treated as 0
    Path png = dir.resolve("sub/grid.png");
    ImageGrid.writeGrid(png, images, n, 1, h, w, 3, 2, 2);

    BufferedImage img = ImageIO.read(png.toFile());
    // 3 columns x 2 rows of 6x8 cells, 2px padding between and around
    assertEquals(3 * (3 * 2 + 2) + 2, img.getWidth());
    assertEquals(2 * (4 * 2 + 2) + 2, img.getHeight());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());

    assertEquals(ImageGrid.PADDING_GREY, grey(img, 0, 0));
    assertEquals(0, grey(img, 2, 2), "image 0 pixel (0,0), clamped from -3");
    assertEquals(0, grey(img, 3, 3), "upscaled block of the same pixel");
    assertEquals(255, grey(img, 4, 2), "image 0 pixel (0,1), clamped from 7");
    assertEquals(0, grey(img, 6, 2), "NaN -> 0");
    assertEquals(0, grey(img, 2, 4), "image 0 second row is 0");
    assertEquals(ImageGrid.PADDING_GREY, grey(img, 8, 2), "gap between columns");
    int x1 = 2 + 8; // image 1 starts after one cell (6) and padding (2)
    assertEquals(Math.round(255 / 4f), grey(img, x1, 2));
    int y1 = 2 + 10; // second row of cells: image 3 and image 4
    assertEquals(Math.round(3 * 255 / 4f), grey(img, 2, y1));
    assertEquals(255, grey(img, x1 + 5, y1 + 7));
    int x2 = 2 + 2 * 8; // no sixth image: padding colour
    assertEquals(ImageGrid.PADDING_GREY, grey(img, x2 + 1, y1 + 1));

    try (Stream<Path> files = Files.list(png.getParent())) {
      assertEquals(1, files.count(), "temporary file renamed away");
    }
  }

  @Test
  void rgbImageRoundTrips() throws IOException {
    int h = 2;
    int w = 3;
    float[] images = new float[2 * 3 * h * w];
    int size = 3 * h * w;
    // image 1: red channel 1, green 0.5, blue 0
    for (int i = 0; i < h * w; i++) {
      images[size + i] = 1f;
      images[size + h * w + i] = 0.5f;
    }
    Path png = dir.resolve("one.png");
    ImageGrid.writeImage(png, images, 1, 3, h, w);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(w, img.getWidth());
    assertEquals(h, img.getHeight());
    assertEquals(0xFF8000, img.getRGB(2, 1) & 0xFFFFFF);

    ImageGrid.writeImage(png, images, 1, 3, h, w, 4); // overwrite, upscaled
    BufferedImage big = ImageIO.read(png.toFile());
    assertEquals(4 * w, big.getWidth());
    assertEquals(4 * h, big.getHeight());
    assertEquals(0xFF8000, big.getRGB(11, 7) & 0xFFFFFF);
  }

  @Test
  void fewerImagesThanColumnsShrinksTheGrid() {
    BufferedImage img = ImageGrid.toImage(new float[2 * 4], 2, 1, 2, 2, 8, 1, 1);
    assertEquals(2 * 3 + 1, img.getWidth());
    assertEquals(3 + 1 - 1 + 1, img.getHeight());
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.toImage(new float[10], 2, 1, 2, 3, 2, 2, 1)); // needs 12 values
    assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.toImage(new float[12], 1, 2, 2, 3, 2, 2, 1)); // 2 channels
    assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.writeImage(dir.resolve("x.png"), new float[6], 1, 1, 2, 3));
  }
}
