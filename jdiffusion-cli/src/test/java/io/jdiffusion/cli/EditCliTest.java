package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.cli.CliTest.Run;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.schedule.ScheduleConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampling and editing commands end to end, on a class-conditional micro model (1x8x8, T = 50)
 * trained for 2 steps on the embedded Fashion-MNIST subset.
 */
class EditCliTest {
  @TempDir
  static Path dir;
  static Path runDir;
  static Path photo;
  static Path mask;

  @BeforeAll
  static void trainAndDrawInputs() throws Exception {
    TestTorch.init();
    runDir = dir.resolve("run");
    Run t = run("train", "--out", runDir.toString(), "--steps", "2", "--final-samples", "0", "--class-conditional",
        "--image-size", "8", "--base-channels", "8", "--channel-mults", "1,2", "--attention-res", "4", "--groups", "4",
        "--heads", "2", "--timesteps", "50", "--batch-size", "8", "--threads", "2", "-q");
    assertEquals(0, t.code(), t.err());
    // a 16x12 RGB gradient (the model reads it as 8x8 grey), and a mask whose left half is white
    BufferedImage img = new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB);
    BufferedImage m = new BufferedImage(16, 12, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 12; y++) {
      for (int x = 0; x < 16; x++) {
        img.setRGB(x, y, (x * 16) << 16 | (y * 20) << 8 | 128);
        m.getRaster().setSample(x, y, 0, x < 8 ? 255 : 0);
      }
    }
    photo = dir.resolve("photo.png");
    mask = dir.resolve("mask.png");
    ImageIO.write(img, "png", photo.toFile());
    ImageIO.write(m, "png", mask.toFile());
  }

  private static BufferedImage png(Path p) throws Exception {
    return ImageIO.read(p.toFile());
  }

  /** One row of k 8x8 images drawn 2x with 2 px padding. */
  private static void assertRow(Path p, int k) throws Exception {
    BufferedImage img = png(p);
    assertEquals(k * 16 + (k + 1) * 2, img.getWidth());
    assertEquals(20, img.getHeight());
  }

  @Test
  void everySamplerRunsFromTheCommandLine() {
    String[][] expected = {{"ddpm", "3"}, {"ddim", "3"}, {"pndm", "4"}, {"lms", "3"}, {"euler", "3"},
        {"euler-karras", "3"}, {"euler-a", "3"}, {"heun", "5"}, {"dpm++2m", "3"}, {"dpm++2m-sde-karras", "3"},
        {"dpm++3m", "3"}, {"unipc", "3"}, {"lcm", "3"}};
    for (String[] e : expected) {
      Path out = dir.resolve(e[0] + ".png");
      Run r = run("sample", runDir.toString(), "-n", "2", "--sampler", e[0], "--steps", "3", "--out", out.toString(), "-q");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains(e[0] + " 3 steps (" + e[1] + " evaluations each)"), r.out());
      assertTrue(Files.exists(out));
    }
    assertCleanError(run("sample", runDir.toString(), "--sampler", "plms2", "-q"), "unknown sampler 'plms2'");
  }

  @Test
  void classesGoByNameOrIndexWithGuidance() throws Exception {
    Run byName = run("sample", runDir.toString(), "-n", "2", "--steps", "2", "--class", "trouser", "--guidance", "3",
        "--out", dir.resolve("trousers.png").toString(), "-q");
    assertEquals(0, byName.code(), byName.err());
    assertTrue(byName.out().contains("of class 1 (Trouser), guidance 3.0"), byName.out());
    Run byIndex = run("sample", runDir.toString(), "-n", "2", "--steps", "2", "--class", "9", "--guidance", "0",
        "--out", dir.resolve("boots.png").toString(), "-q");
    assertEquals(0, byIndex.code(), byIndex.err());
    assertTrue(byIndex.out().contains("of class 9 (Ankle boot)"), byIndex.out());
    assertCleanError(run("sample", runDir.toString(), "--class", "hat", "-q"), "unknown class 'hat'");
    assertCleanError(run("sample", runDir.toString(), "--class", "10", "-q"), "[0, 9]");
    assertCleanError(run("sample", runDir.toString(), "--guidance", "-2", "-q"), "--guidance must be");
    assertCleanError(run("img2img", runDir.toString(), "--image", photo.toString(), "--guidance", "2", "-q"),
        "give --class too");

    Path uncond = dir.resolve("unconditional.safetensors");
    new TrainedModel(new UNet(TestTorch.micro(0)), ScheduleConfig.linear(50, 1e-4, 0.02), Prediction.EPS)
        .exportWeights(uncond, false);
    assertCleanError(run("sample", uncond.toString(), "--class", "1", "-q"), "class-conditional");
    assertCleanError(run("sample", uncond.toString(), "--guidance", "2", "-q"), "class-conditional");
  }

  @Test
  void inpaintKeepsTheUnmaskedHalf() throws Exception {
    Path out = dir.resolve("inpaint.png");
    Run r = run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask", mask.toString(), "-n", "2",
        "--steps", "10", "--jump", "3", "--resample", "2", "--class", "Coat", "--out", out.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("inpainted 2 images (RePaint: 10 steps, jump 3, 2 resamples, 19 evaluations each)"),
        r.out());
    assertRow(out, 3);
    BufferedImage img = png(out);
    // cell 0 shows the input (fill region grey), cells 1 and 2 the completions: the kept right half agrees
    for (int y = 0; y < 8; y++) {
      for (int x = 4; x < 8; x++) {
        int input = img.getRaster().getSample(2 + 2 * x, 2 + 2 * y, 0);
        assertEquals(input, img.getRaster().getSample(20 + 2 * x, 2 + 2 * y, 0), 1, "pixel " + x + "," + y);
        assertEquals(input, img.getRaster().getSample(38 + 2 * x, 2 + 2 * y, 0), 1, "pixel " + x + "," + y);
      }
      assertEquals(128, img.getRaster().getSample(2, 2 + 2 * y, 0), 1);
    }
    assertCleanError(run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask",
        dir.resolve("none.png").toString(), "-q"), "none.png: no such image file");
    Path junk = dir.resolve("junk.png");
    Files.writeString(junk, "not a png");
    assertCleanError(run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask", junk.toString(), "-q"),
        "junk.png: cannot read the image");
    Path small = dir.resolve("small-mask.png"); // the left half of an 8x6 mask is not the left half of the photo's crop
    ImageIO.write(new BufferedImage(8, 6, BufferedImage.TYPE_BYTE_GRAY), "png", small.toFile());
    assertCleanError(run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask", small.toString(), "-q"),
        "small-mask.png: the mask is 8x6 pixels, the image " + photo + " 16x12; a mask must have its image's size");
    assertCleanError(run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask", mask.toString(),
        "--jump", "0", "-q"), "jump length");
    assertCleanError(run("inpaint", runDir.toString(), "--image", photo.toString(), "-q"), "--mask");
  }

  @Test
  void inpaintWithAnotherSamplerKeepsTheUnmaskedHalfToo() throws Exception {
    for (String sampler : new String[] {"dpm++2m", "euler-a-karras", "unipc"}) {
      Path out = dir.resolve("inpaint-" + sampler + ".png");
      Run r = run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask", mask.toString(), "-n", "2",
          "--steps", "8", "--sampler", sampler, "--out", out.toString(), "-q");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("inpainted 2 images (" + sampler + ", 8 steps, known region replaced, 8 evaluations"
          + " each)"), r.out());
      BufferedImage img = png(out);
      for (int y = 0; y < 8; y++) {
        for (int x = 4; x < 8; x++) {
          int input = img.getRaster().getSample(2 + 2 * x, 2 + 2 * y, 0);
          assertEquals(input, img.getRaster().getSample(20 + 2 * x, 2 + 2 * y, 0), 1, sampler + " pixel " + x + "," + y);
          assertEquals(input, img.getRaster().getSample(38 + 2 * x, 2 + 2 * y, 0), 1, sampler + " pixel " + x + "," + y);
        }
      }
    }
    assertCleanError(run("inpaint", runDir.toString(), "--image", photo.toString(), "--mask", mask.toString(),
        "--sampler", "ddim", "--jump", "3", "-q"), "--jump, --resample and --variance are RePaint's");
  }

  @Test
  void img2imgTakesTheStrengthsShareOfTheSteps() throws Exception {
    Path out = dir.resolve("img2img.png");
    Run r = run("img2img", runDir.toString(), "--image", photo.toString(), "--strength", "0.5", "--steps", "10",
        "-n", "3", "--out", out.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("edited 3 images (SDEdit, strength 0.50: 5 of 10 ddim steps)"), r.out());
    assertRow(out, 4);
    Run dpm = run("img2img", runDir.toString(), "--image", photo.toString(), "--strength", "0.5", "--steps", "10",
        "-n", "2", "--sampler", "DPM++ 2M Karras", "--out", dir.resolve("img2img-dpm.png").toString(), "-q");
    assertEquals(0, dpm.code(), dpm.err());
    assertTrue(dpm.out().contains("5 of 10 dpm++2m-karras steps"), dpm.out());
    Run pndm = run("img2img", runDir.toString(), "--image", photo.toString(), "--strength", "0.5", "--steps", "10",
        "-n", "2", "--sampler", "plms", "--out", dir.resolve("img2img-pndm.png").toString(), "-q");
    assertEquals(0, pndm.code(), pndm.err());
    assertTrue(pndm.out().contains("6 of 10 pndm steps"), pndm.out()); // of its 11 points
    assertCleanError(run("img2img", runDir.toString(), "--image", photo.toString(), "--sampler", "heun", "--eta", "1",
        "-q"), "heun does not use eta");
    assertCleanError(run("img2img", runDir.toString(), "--image", photo.toString(), "--strength", "0", "-q"),
        "strength must be in (0, 1]");
    assertCleanError(run("img2img", runDir.toString(), "--image", photo.toString(), "--steps", "51", "-q"), "[1, 50]");
  }

  @Test
  void interpolateWritesTheWholePath() throws Exception {
    Path out = dir.resolve("path.png");
    Run r = run("interpolate", runDir.toString(), photo.toString(), mask.toString(), "--frames", "5", "--steps", "6",
        "--out", out.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("interpolated 5 frames (DDIM inversion, ddim decoding, 6 steps; slerp)"), r.out());
    assertRow(out, 5);
    Run unipc = run("interpolate", runDir.toString(), photo.toString(), mask.toString(), "--frames", "3", "--steps", "6",
        "--sampler", "unipc", "--out", dir.resolve("path-unipc.png").toString(), "-q");
    assertEquals(0, unipc.code(), unipc.err());
    assertTrue(unipc.out().contains("unipc decoding"), unipc.out());
    assertCleanError(run("interpolate", runDir.toString(), photo.toString(), mask.toString(), "--sampler", "euler-a",
        "-q"), "deterministic sampler");
    assertCleanError(run("interpolate", runDir.toString(), photo.toString(), mask.toString(), "--frames", "1", "-q"),
        "--frames must be >= 2");
    assertCleanError(run("interpolate", runDir.toString(), photo.toString(), "-q"), "IMAGE_B");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"inpaint", "img2img", "interpolate"}) {
      Run r = run(command, "--help");
      assertEquals(0, r.code(), command);
      assertTrue(r.out().contains("MODEL"), r.out());
    }
    assertTrue(run("sample", "--help").out().contains("dpm++2m"));
  }
}
