package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data fetch} and {@code data inspect}, offline: fixtures made here, nothing downloaded. */
class DataCommandTest {
  @TempDir Path dir;

  private static void png(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(img, "png", file.toFile()));
  }

  private static BufferedImage filled(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void dataAloneAndHelpPrintUsage() {
    CliTest.Run r = run("data");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("fetch") && r.out().contains("inspect"), r.out());
    CliTest.Run h = run("data", "fetch", "--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("first 10000 MNIST train images only"), h.out());
    assertEquals(0, run("data", "inspect", "--help").code());
  }

  @Test
  void fetchErrorsAreOneLine() throws IOException {
    assertCleanError(run("data", "fetch"), "NAME");
    assertCleanError(run("data", "fetch", "imagenet"), "unknown dataset 'imagenet' to fetch; known: mnist, cifar10");
    assertCleanError(run("data", "fetch", "mnist", "emoji", "--dir", dir.toString()),
        "--dir and --from apply to a single dataset");
    Path missing = dir.resolve("missing.tgz");
    assertCleanError(run("data", "fetch", "mnist", "--dir", dir.resolve("m").toString(), "--from", missing.toString()),
        missing + ": file not found");
    Path occupied = dir.resolve("occupied");
    Files.createDirectories(occupied);
    Files.writeString(occupied.resolve("notes.txt"), "mine");
    assertCleanError(run("data", "fetch", "cifar10", "--dir", occupied.toString()),
        "already exists but does not hold a valid cifar10 set");
    assertCleanError(run("data", "fetch", "cifar10", "--dir", occupied.toString(), "--force"), "refusing to replace");
    assertEquals("mine", Files.readString(occupied.resolve("notes.txt")));
  }

  @Test
  void inspectErrorsAreOneLine() throws IOException {
    assertCleanError(run("data", "inspect", dir.resolve("nowhere").toString()), "unknown dataset");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertCleanError(run("data", "inspect", "mnist:" + empty), "no MNIST digit files");
    assertCleanError(run("data", "inspect", "emoji:" + empty), "no emoji.json");
    assertCleanError(run("data", "inspect", empty.toString()), "no images found");
    Path cifar = dir.resolve("cifar");
    png(filled(32, 32, 0), cifar.resolve("test_batch.png"));
    Files.writeString(cifar.resolve("test_lables.json"), "[1]");
    assertCleanError(run("data", "inspect", "cifar10-test:" + cifar), cifar.resolve("test_batch.png")
        + ": 32x32 pixels, but a CIFAR-10 PNG batch is 1024 pixels wide");
    png(filled(8, 8, 0), dir.resolve("f/a.png"));
    assertCleanError(run("data", "inspect", dir.resolve("f").toString(), "--per-class", "0"), "--per-class");
    assertCleanError(run("data", "inspect", dir.resolve("f").toString(), "--channels", "2"), "channels must be 1 or 3");
  }

  @Test
  void inspectPrintsTheTableAndWritesTheGrid() throws IOException {
    Path data = dir.resolve("shapes");
    for (int i = 0; i < 4; i++) {
      png(filled(12, 12, 0xFF0000), data.resolve("red/" + i + ".png"));
    }
    png(filled(12, 12, 0x0000FF), data.resolve("blue/0.png"));
    Path grid = dir.resolve("out/grid.png");
    CliTest.Run r = run("data", "inspect", data.toString(), "--image-size", "8", "--per-class", "3", "-o", grid.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("images   5 of 3x8x8"), r.out());
    assertTrue(r.out().contains("  R       0.8000  0.4000"), r.out());
    assertTrue(r.out().contains("    0  blue         1   20.0%"), r.out());
    assertTrue(r.out().contains("    1  red          4   80.0%"), r.out());
    assertTrue(r.out().contains("grid     " + grid + " (2 rows x 3 examples)"), r.out());
    BufferedImage img = ImageIO.read(grid.toFile());
    // 3 columns x 2 rows of 8x8 images drawn 2x with 2 px padding: 3*16 + 4*2 = 56 by 2*16 + 3*2 = 38
    assertEquals(56, img.getWidth());
    assertEquals(38, img.getHeight());
    assertEquals(0x0000FF, img.getRGB(2 + 8, 2 + 8) & 0xFFFFFF, "row 0 = blue");
    assertEquals(0xFF0000, img.getRGB(2 + 8, 2 + 16 + 2 + 8) & 0xFFFFFF, "row 1 = red");
  }

  @Test
  void defaultGridNameComesFromTheSpec() {
    assertEquals("mnist-test", DataInspectCommand.fileName("mnist-test:/data/mnist"));
    assertEquals("cifar10", DataInspectCommand.fileName("cifar10"));
    assertEquals("My-Pics", DataInspectCommand.fileName("/home/u/My Pics"));
    assertEquals("fashion-mnist-subset", DataInspectCommand.fileName(null));
  }
}
