package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.viz.LabeledStrip;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train} ends with pictures and a report; {@code pictures} and {@code report} on the result. */
class PicturesCliTest {
  /** A micro model on the embedded subset resized to 8x8, T = 20: trains 4 steps in seconds. */
  static final String[] MICRO = {"--image-size", "8", "--base-channels", "8", "--channel-mults", "1,2",
      "--attention-res", "4", "--groups", "4", "--heads", "2", "--timesteps", "20", "--batch-size", "8",
      "--threads", "2", "-q"};

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static int gifFrames(Path gif) throws Exception {
    ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      r.setInput(in);
      return r.getNumImages(true);
    } finally {
      r.dispose();
    }
  }

  @Test
  void trainWritesPicturesAndReportThenTheCommandsRedrawThem(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    String[] train = {"train", "--out", runDir.toString(), "--steps", "4", "--sample-every", "2", "--log-every", "1",
        "--final-samples", "4"};
    CliTest.Run t = run(concat(train, MICRO));
    assertEquals(0, t.code(), t.err());
    for (String f : List.of("loss.png", "samples/step-0000002.png", "samples/final.png", "strips/forward.png",
        "strips/reverse.png", "strips/denoising.gif", "report.html")) {
      assertTrue(Files.isRegularFile(runDir.resolve(f)), f + " missing after train");
    }
    assertEquals(21, gifFrames(runDir.resolve("strips/denoising.gif")), "train's default: all 21 DDIM states (<= 30)");

    // pictures with chosen sizes into another folder
    Path out = dir.resolve("pics");
    CliTest.Run p = run("pictures", runDir.toString(), "--out", out.toString(), "-n", "2", "--steps", "10",
        "--columns", "4", "--frames", "6", "--forward-every", "10", "--threads", "2", "-q");
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().contains("training image"), p.out());
    assertEquals(6, gifFrames(out.resolve("denoising.gif")));
    int up = 8; // 8x8 images are enlarged to 64 px
    BufferedImage reverse = ImageIO.read(out.resolve("reverse.png").toFile());
    LabeledStrip.Layout rl = LabeledStrip.layout(4, 4, 8, 8, up, new String[] {"x_t", "x0 est.", "x_t", "x0 est."},
        new String[4], "caption");
    assertEquals(rl.height(), reverse.getHeight(), "2 images x (x_t, x0) rows + labels + caption");
    assertEquals(rl.width(), reverse.getWidth());

    // the forward strip's t = 0 column is image 0 of the run's data, pixel for pixel
    BufferedImage forward = ImageIO.read(out.resolve("forward.png").toFile());
    LabeledStrip.Layout fl = LabeledStrip.layout(1, 3, 8, 8, up, null, new String[3], "caption");
    assertEquals(fl.height(), forward.getHeight());
    int gridRight = fl.cellX(2) + 8 * up + 2; // t = 0, 10, 20: three cells
    assertTrue(forward.getWidth() >= gridRight);
    for (int x = gridRight; x < forward.getWidth(); x++) {
      assertEquals(0xFFFFFF, forward.getRGB(x, fl.cellY(0) + 4) & 0xFFFFFF, "no fourth cell, only the caption's room");
    }
    ImageDataset ds = Datasets.open("fashion-mnist-subset", 8, 1);
    float[] x0 = new float[64];
    ds.read(0, x0, 0);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int v = forward.getRGB(fl.cellX(0) + x * up + up / 2, fl.cellY(0) + y * up + up / 2) & 0xFF;
        assertEquals(Math.round(x0[y * 8 + x] * 255), v, "pixel (" + x + "," + y + ")");
      }
    }

    // the alias and the default output folder
    Files.delete(runDir.resolve("strips/denoising.gif"));
    CliTest.Run s = run("strip", runDir.toString(), "--steps", "5", "--threads", "2", "-q");
    assertEquals(0, s.code(), s.err());
    assertEquals(6, gifFrames(runDir.resolve("strips/denoising.gif")), "5 steps: 6 states");

    // report redraws the loss curve and shows the config
    Files.delete(runDir.resolve("loss.png"));
    CliTest.Run r = run("report", runDir.toString(), "--linear", "--width", "500", "--height", "300");
    assertEquals(0, r.code(), r.err());
    BufferedImage loss = ImageIO.read(runDir.resolve("loss.png").toFile());
    assertEquals(500, loss.getWidth());
    assertEquals(300, loss.getHeight());
    String html = Files.readString(runDir.resolve("report.html"), StandardCharsets.UTF_8);
    assertTrue(html.contains("<td>model.baseChannels</td><td>8</td>"), "config values in the page");
    assertTrue(html.contains("<td>schedule.steps</td><td>20</td>"));
    assertTrue(html.contains("<td>sampleEvery</td><td>2</td>"));
    assertTrue(html.contains("checkpoints/step-0000004.safetensors"));
    assertTrue(html.contains("data:image/gif;base64,"));
    assertTrue(html.contains("<figcaption>step 2</figcaption>"));
  }

  @Test
  void badInputIsACleanError(@TempDir Path dir) throws Exception {
    assertCleanError(run("report", dir.resolve("nope").toString()), "no such run directory");
    assertCleanError(run("report", dir.toString()), "not a run directory");
    assertCleanError(run("pictures", dir.resolve("nope.safetensors").toString()), "nope.safetensors");
    assertCleanError(run("pictures", dir.toString()), "no checkpoints");
    Path runDir = dir.resolve("run");
    CliTest.Run t = run(concat(new String[] {"train", "--out", runDir.toString(), "--steps", "1", "--final-samples", "0",
        "--no-pictures"}, MICRO));
    assertEquals(0, t.code(), t.err());
    assertTrue(Files.isRegularFile(runDir.resolve("loss.png")), "the loss curve is drawn even without pictures");
    assertTrue(!Files.exists(runDir.resolve("strips")) && !Files.exists(runDir.resolve("report.html")));
    assertCleanError(run("pictures", runDir.toString(), "--frames", "1"), "at least 2 frames");
    assertCleanError(run("pictures", runDir.toString(), "--steps", "21"), "[1, 20]");
    assertCleanError(run("pictures", runDir.toString(), "--image", dir.resolve("no.png").toString()), "no such image");
    assertCleanError(run("pictures", runDir.toString(), "--index", "10000"), "--index 10000");
    assertCleanError(run("report", runDir.toString(), "--smoothing", "1"), "smoothing");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
