package io.jdiffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdiffusion.report.LossPlot;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a report page in headless Chromium and checks the screenshot. Chromium is required:
 * without it this test fails (CI's .ci/run installs Debian's {@code chromium}); set
 * JDIFFUSION_CHROMIUM to use another binary.
 */
class ReportScreenshotTest {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 1600;

  private static boolean near(int rgb, Color c, int tolerance) {
    Color p = new Color(rgb);
    return Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
        + Math.abs(p.getBlue() - c.getBlue()) < tolerance;
  }

  @Test
  void chromiumRendersTheReportWithItsLossCurve(@TempDir Path dir) throws Exception {
    Path browser = io.jdiffusion.Chromium.binary();
    if (browser == null) {
      fail("chromium is missing: install it with 'apt-get install -y chromium' (.ci/run does) "
          + "or point JDIFFUSION_CHROMIUM at a Chromium binary");
    }
    Path run = SyntheticRun.create(dir.resolve("run"), "fashion-mnist-subset", 4);
    LossCurve.write(run);
    Path page = RunReport.write(run);
    Path shot = dir.resolve("shot.png");
    ProcessBuilder pb = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--screenshot=" + shot,
        "--window-size=" + WIDTH + "," + HEIGHT, page.toUri().toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("chromium.log").toFile());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("chromium did not finish within 120 s");
    }
    String log = Files.readString(dir.resolve("chromium.log"));
    assertEquals(0, p.exitValue(), "chromium failed: " + log);
    assertTrue(Files.isRegularFile(shot), "no screenshot written: " + log);

    BufferedImage img = ImageIO.read(shot.toFile());
    assertEquals(WIDTH, img.getWidth());
    assertEquals(HEIGHT, img.getHeight());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < HEIGHT; y += 2) {
      for (int x = 0; x < WIDTH; x += 2) {
        colours.add(img.getRGB(x, y) & 0xFFFFFF);
      }
    }
    assertTrue(colours.size() > 50, "the page looks blank: " + colours.size() + " colours");

    // The loss curve: pixels of the smoothed line's colour spread over a wide, non-uniform area.
    int minX = WIDTH;
    int maxX = -1;
    int minY = HEIGHT;
    int maxY = -1;
    int hits = 0;
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        if (near(img.getRGB(x, y), LossPlot.SMOOTH, 40)) {
          hits++;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    assertTrue(hits > 300, "loss curve not visible: " + hits + " pixels of its colour");
    assertTrue(maxX - minX > 500, "loss curve spans only " + (maxX - minX) + " px");
    assertTrue(maxY - minY > 150, "a falling loss should span rows, got " + (maxY - minY) + " px");
    Set<Integer> inPlot = new HashSet<>();
    for (int y = minY; y <= maxY; y++) {
      for (int x = minX; x <= maxX; x++) {
        inPlot.add(img.getRGB(x, y) & 0xFFFFFF);
      }
    }
    assertTrue(inPlot.size() > 10, "the loss-curve area is uniform: " + inPlot.size() + " colours");
  }
}
