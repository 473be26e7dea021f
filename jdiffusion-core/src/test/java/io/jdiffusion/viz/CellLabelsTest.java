package io.jdiffusion.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.image.ImageGrid;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class CellLabelsTest {
  @Test
  void eachCellKeepsItsPixelsAndGetsItsLineOfText() {
    int n = 3;
    int h = 4;
    int w = 5;
    float[] images = new float[n * h * w];
    for (int i = 0; i < images.length; i++) {
      images[i] = (i % 7) / 6f;
    }
    BufferedImage g = CellLabels.render(images, n, 2, 1, h, w, 3, new String[] {"a 0", "b 1", "c 2"});
    int pad = ImageGrid.DEFAULT_PADDING;
    assertEquals(2 * (w * 3 + pad) + pad, g.getWidth());
    assertEquals(2 * (h * 3 + pad + CellLabels.BAND) + pad, g.getHeight());
    // image 2 sits in the second row, first column, enlarged 3 times
    BufferedImage alone = ImageGrid.toImage(java.util.Arrays.copyOfRange(images, 2 * h * w, 3 * h * w), 1, 1, h, w, 1, 0, 3);
    int x0 = pad;
    int y0 = pad + h * 3 + pad + CellLabels.BAND;
    for (int y = 0; y < h * 3; y++) {
      for (int x = 0; x < w * 3; x++) {
        int v = alone.getRaster().getSample(x, y, 0); // the grey byte, as the PNG of the plain grid stores it
        assertEquals(v, g.getRGB(x0 + x, y0 + y) & 0xff);
      }
    }
    int dark = 0; // the text band under image 0 holds text
    for (int y = pad + h * 3; y < pad + h * 3 + CellLabels.BAND; y++) {
      for (int x = pad; x < pad + w * 3; x++) {
        dark += (g.getRGB(x, y) & 0xff) < 128 ? 1 : 0;
      }
    }
    assertTrue(dark > 0);
    assertThrows(IllegalArgumentException.class, () -> CellLabels.render(images, n, 2, 1, h, w, 3, new String[] {"a"}));
  }
}
