package io.jdiffusion.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jdiffusion.TestTorch;
import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwardStripTest {
  private static final int C = 1;
  private static final int H = 6;
  private static final int W = 5;

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** A grey ramp of exact 8-bit levels, so that a PNG round trip is lossless. */
  private static float[] image() {
    float[] v = new float[C * H * W];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 37 % 256) / 255f;
    }
    return v;
  }

  @Test
  void timestepsRunFromZeroToT() {
    assertArrayEquals(new int[] {0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}, ForwardStrip.timesteps(1000, 100));
    assertArrayEquals(new int[] {0, 20, 40, 50}, ForwardStrip.timesteps(50, 20));
    assertThrows(IllegalArgumentException.class, () -> ForwardStrip.timesteps(50, 0));
    assertArrayEquals(new int[] {0, 50}, ForwardStrip.timesteps(50, 50));
    assertThrows(IllegalArgumentException.class, () -> ForwardStrip.timesteps(50, 51)); // an interval past T: no strip
  }

  @Test
  void columnsFollowTheClosedFormWithOneNoiseDraw() {
    NoiseSchedule s = ScheduleConfig.defaults().build();
    float[] x = image();
    int[] ts = {0, 1, 500, 1000};
    long seed = 7;
    float[] f = ForwardStrip.frames(s, x, C, H, W, ts, seed);
    int per = C * H * W;
    assertEquals(ts.length * per, f.length);
    // t = 0 is the input itself, bit for bit
    float[] first = java.util.Arrays.copyOfRange(f, 0, per);
    assertArrayEquals(x, first);
    // t >= 1: sqrt(alphaBar_{t-1}) (2x - 1) + sqrt(1 - alphaBar_{t-1}) eps, eps from the image's seed stream
    SplittableRandom r = new SplittableRandom(seed);
    double[] eps = new double[per];
    for (int i = 0; i < per; i++) {
      eps[i] = (float) r.nextGaussian();
    }
    for (int j = 1; j < ts.length; j++) {
      double a = s.sqrtAlphaBar(ts[j] - 1);
      double b = s.sqrtOneMinusAlphaBar(ts[j] - 1);
      for (int i = 0; i < per; i++) {
        double expected = Math.min(1, Math.max(0, (a * (2 * x[i] - 1) + b * eps[i] + 1) / 2));
        assertEquals(expected, f[j * per + i], 1e-5, "t=" + ts[j] + " pixel " + i);
      }
    }
  }

  @Test
  void theStripPngShowsTheInputUnchangedAtTZero(@TempDir Path dir) throws Exception {
    NoiseSchedule s = ScheduleConfig.defaults().build();
    float[] x = image();
    int[] ts = ForwardStrip.timesteps(1000, 250);
    int up = 3;
    String[] labels = {"t=0", "t=250", "t=500", "t=750", "t=1000"};
    BufferedImage strip = LabeledStrip.render(ForwardStrip.frames(s, x, C, H, W, ts, 0), 1, ts.length, C, H, W, up,
        null, labels, "caption");
    Path png = dir.resolve("forward.png");
    ImageGrid.write(png, strip);
    BufferedImage back = ImageIO.read(png.toFile());
    LabeledStrip.Layout l = LabeledStrip.layout(1, ts.length, H, W, up, null, labels, "caption");
    assertEquals(l.width(), back.getWidth());
    assertEquals(l.height(), back.getHeight());
    for (int y = 0; y < H; y++) {
      for (int xx = 0; xx < W; xx++) {
        int expected = Math.round(x[y * W + xx] * 255);
        for (int d = 0; d < up; d++) {
          int rgb = back.getRGB(l.cellX(0) + xx * up + d, l.cellY(0) + y * up + d);
          assertEquals(expected, rgb & 0xFF, "pixel (" + xx + "," + y + ")");
          assertEquals(expected, (rgb >> 16) & 0xFF);
        }
      }
    }
    // the last column is noise, not the image
    int differing = 0;
    for (int y = 0; y < H; y++) {
      for (int xx = 0; xx < W; xx++) {
        int v = back.getRGB(l.cellX(ts.length - 1) + xx * up, l.cellY(0) + y * up) & 0xFF;
        differing += Math.abs(v - Math.round(x[y * W + xx] * 255)) > 8 ? 1 : 0;
      }
    }
    assertEquals(true, differing > H * W / 2, "t = T should be mostly noise, " + differing + " pixels differ");
  }
}
