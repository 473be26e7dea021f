package io.jdiffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.image.ImageGrid;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {
  /** Whether the pixel is (nearly) the given colour. */
  private static boolean near(BufferedImage img, int x, int y, Color c) {
    Color p = new Color(img.getRGB(x, y));
    return Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
        + Math.abs(p.getBlue() - c.getBlue()) < 60;
  }

  /** Whether a pixel of colour c lies within r pixels of (x, y). */
  private static boolean colourAround(BufferedImage img, double x, double y, int r, Color c) {
    int cx = (int) Math.round(x);
    int cy = (int) Math.round(y);
    for (int dy = -r; dy <= r; dy++) {
      for (int dx = -r; dx <= r; dx++) {
        int px = cx + dx;
        int py = cy + dy;
        if (px >= 0 && py >= 0 && px < img.getWidth() && py < img.getHeight() && near(img, px, py, c)) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void pngHasTheRequestedSize(@TempDir Path dir) throws Exception {
    double[] x = {25, 50, 75, 100};
    double[] y = {0.9, 0.5, 0.3, 0.2};
    Path png = dir.resolve("loss.png");
    ImageGrid.write(png, LossPlot.render(x, y, new LossPlot.Style(640, 360, true, 0.9, "t")));
    byte[] head = Files.readAllBytes(png);
    assertEquals((byte) 0x89, head[0]);
    assertEquals('P', head[1]);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(640, img.getWidth());
    assertEquals(360, img.getHeight());
  }

  @Test
  void aDecreasingLossDrawsHigherOnTheLeft() {
    int n = 60;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = 25 * (i + 1);
      y[i] = 0.03 + Math.exp(-i / 12.0);
    }
    for (boolean log : new boolean[] {true, false}) {
      LossPlot.Style style = new LossPlot.Style(800, 400, log, 0.6, "decreasing");
      LossPlot.Picture a = LossPlot.draw(x, y, style);
      BufferedImage img = a.image();
      int left = (int) Math.ceil(a.dataArea().getMinX());
      int top = (int) Math.ceil(a.dataArea().getMinY());
      int bottom = (int) Math.floor(a.dataArea().getMaxY());
      int w = (int) Math.floor(a.dataArea().getMaxX()) - left;
      double[] meanRow = new double[3];
      for (int third = 0; third < 3; third++) {
        long sum = 0;
        int count = 0;
        for (int px = left + 3 + third * w / 3; px < left + (third + 1) * w / 3 - 3; px++) {
          for (int py = top + 2; py < bottom - 1; py++) {
            if (near(img, px, py, LossPlot.SMOOTH)) {
              sum += py;
              count++;
            }
          }
        }
        assertTrue(count > 20, "the smoothed curve is drawn in third " + third + " (log " + log + ")");
        meanRow[third] = (double) sum / count;
      }
      assertTrue(meanRow[0] < meanRow[1] && meanRow[1] < meanRow[2],
          "rows should grow (curve falls) left to right: " + java.util.Arrays.toString(meanRow));
    }
  }

  @Test
  void curvePixelsSitWhereTheDataSays() {
    double[] x = {0, 100, 200, 300};
    double[] y = {1, 0.1, 0.01, 0.01};
    LossPlot.Style style = new LossPlot.Style(600, 400, true, 0.0, "log"); // smoothing 0: the EMA is the data
    LossPlot.Picture a = LossPlot.draw(x, y, style);
    BufferedImage img = a.image();
    assertTrue(a.logY());
    // decades are equally spaced on a log axis
    assertEquals(a.py(0.1) - a.py(1), a.py(0.01) - a.py(0.1), 1e-9);
    assertTrue(a.py(1) < a.py(0.1), "larger loss is higher up");
    for (int i = 0; i < x.length; i++) {
      assertTrue(colourAround(img, a.px(x[i]), a.py(y[i]), 2, LossPlot.SMOOTH), "point " + i + " drawn");
    }
    // nothing of the curve where there is no data: above the first point and below the last
    assertFalse(colourAround(img, a.px(150), a.py(1), 3, LossPlot.SMOOTH));
    assertFalse(colourAround(img, a.px(50), a.py(0.012), 3, LossPlot.SMOOTH));
    // a linear axis puts 0.1 near 0.01, far from 1
    LossPlot.Style lin = new LossPlot.Style(600, 400, false, 0.0, "linear");
    LossPlot.Picture b = LossPlot.draw(x, y, lin);
    assertFalse(b.logY());
    assertTrue(b.py(0.01) - b.py(0.1) < (b.py(0.1) - b.py(1)) / 5);
    BufferedImage li = b.image();
    assertTrue(colourAround(li, b.px(100), b.py(0.1), 2, LossPlot.SMOOTH));
  }

  @Test
  void singleRowsAndNonPositiveValuesStillPlot() {
    LossPlot.Picture a = LossPlot.draw(new double[] {10}, new double[] {0.5}, LossPlot.Style.defaults("one"));
    assertTrue(colourAround(a.image(), a.px(10), a.py(0.5), 2, LossPlot.SMOOTH));
    LossPlot.Picture zero = LossPlot.draw(new double[] {1, 2}, new double[] {0, 1}, LossPlot.Style.defaults("zero"));
    assertFalse(zero.logY(), "a zero loss falls back to a linear axis");
    assertThrows(IllegalArgumentException.class,
        () -> LossPlot.render(new double[] {1, 2}, new double[] {1, Double.NaN}, LossPlot.Style.defaults("nan")));
    assertThrows(IllegalArgumentException.class, () -> new LossPlot.Style(50, 50, true, 0.9, "tiny"));
    // a height of 2e9 pixels used to overflow the picture's array (NegativeArraySizeException)
    assertThrows(IllegalArgumentException.class, () -> new LossPlot.Style(800, 2_000_000_000, true, 0.9, "huge"));
    assertThrows(IllegalArgumentException.class, () -> new LossPlot.Style(100_000, 400, true, 0.9, "wide"));
    assertThrows(IllegalArgumentException.class, () -> new LossPlot.Style(800, 400, true, 1.0, "no smoothing of 1"));
  }

  @Test
  void emaIsDebiased() {
    assertArrayEquals(new double[] {1, 1, 1}, LossPlot.ema(new double[] {1, 1, 1}, 0.9), 1e-12);
    assertArrayEquals(new double[] {0, 2.0 / 3}, LossPlot.ema(new double[] {0, 1}, 0.5), 1e-12);
    assertArrayEquals(new double[] {3, 1, 2}, LossPlot.ema(new double[] {3, 1, 2}, 0), 1e-12);
    assertEquals(0, LossPlot.autoSmoothing(10));
    assertEquals(2.0 / 3, LossPlot.autoSmoothing(60), 1e-12);
    assertEquals(0.99, LossPlot.autoSmoothing(100_000));
  }
}
