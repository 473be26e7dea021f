package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.cli.CliTest.Run;
import io.jdiffusion.image.PngText;
import io.jdiffusion.store.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sample PIPELINE --prompt}: the tiny SD 1.x-like pipeline that diffusers saved
 * (jdiffusion-core's fixtures); the pixels themselves are checked against diffusers in TextToImageParityTest.
 */
class TextToImageCliTest {
  static final Path SD1 = TestTorch.repoRoot().resolve("jdiffusion-core/src/test/resources/io/jdiffusion/t2i/pipelines/sd1");

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void aPromptGivesImagesWithTheirProvenance(@TempDir Path dir) throws Exception {
    Path grid = dir.resolve("grid.png");
    Run r = run("sample", SD1.toString(), "--prompt", "a photo of an astronaut riding a horse on mars",
        "--negative-prompt", "blurry", "--steps", "3", "-n", "2", "--seed", "5", "-o", grid.toString(),
        "--each", dir.resolve("each").toString(), "--json", "-q");
    assertEquals(0, r.code(), r.err());
    JsonNode j = Json.mapper().readTree(r.out());
    assertEquals("pndm", j.get("sampler").asText()); // the folder's scheduler
    assertEquals(32, j.get("width").asInt()); // the unet's sample_size x the autoencoder's scale
    BufferedImage one = ImageIO.read(dir.resolve("each/seed-6.png").toFile());
    assertEquals(32, one.getWidth());
    Map<String, String> text = PngText.read(dir.resolve("each/seed-6.png"));
    JsonNode p = Json.mapper().readTree(text.get("jdiffusion"));
    assertEquals("a photo of an astronaut riding a horse on mars", p.get("prompt").asText());
    assertEquals("blurry", p.get("negative_prompt").asText());
    assertEquals(6, p.get("seed").asLong());
    assertEquals(j.get("model_sha256").asText(), p.get("model_sha256").asText());
    assertTrue(text.get("Description").startsWith("a photo of an astronaut"), text.get("Description"));

    // image 1 of seed 5 is image 0 of seed 6: one seed per image
    Run alone = run("sample", SD1.toString(), "--prompt", "a photo of an astronaut riding a horse on mars",
        "--negative-prompt", "blurry", "--steps", "3", "-n", "1", "--seed", "6", "-o", dir.resolve("alone-grid.png").toString(),
        "--each", dir.resolve("alone").toString(), "-q");
    assertEquals(0, alone.code(), alone.err());
    BufferedImage b = ImageIO.read(dir.resolve("alone/seed-6.png").toFile());
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertEquals(one.getRGB(x, y), b.getRGB(x, y), "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void badInputIsOneErrorLine(@TempDir Path dir) throws Exception {
    String out = dir.resolve("x.png").toString();
    assertCleanError(run("sample", SD1.toString(), "--prompt", "a", "--width", "30", "-o", out), "multiples of 4");
    assertCleanError(run("sample", SD1.toString(), "--prompt", "a", "--class", "3", "-o", out), "--prompt");
    assertCleanError(run("sample", "--prompt", "a", "-o", out), "text-to-image pipeline folder");
    assertCleanError(run("sample", SD1.toString(), "--prompt", "a", "--sampler", "nope", "-o", out), "nope");
    // a folder without one of its components
    Path broken = dir.resolve("broken");
    copy(SD1, broken);
    deleteTree(broken.resolve("vae"));
    assertCleanError(run("sample", broken.toString(), "--prompt", "a", "-o", out), "vae");
    // a component class jdiffusion does not run
    copy(SD1, dir.resolve("xl"));
    Path index = dir.resolve("xl/model_index.json");
    Files.writeString(index, Files.readString(index).replace("\"UNet2DConditionModel\"", "\"UNet2DModel\""));
    assertCleanError(run("sample", dir.resolve("xl").toString(), "--prompt", "a", "-o", out), "UNet2DModel");
    assertTrue(Files.notExists(Path.of(out)), "nothing is written on bad input");
  }

  static void copy(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  static void deleteTree(Path p) throws Exception {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  @Test
  void imageToImageAndInpaintingTakeAPrompt(@TempDir Path dir) throws Exception {
    Path grid = dir.resolve("t.png");
    assertEquals(0, run("sample", SD1.toString(), "--prompt", "a stone wall", "--steps", "3", "-n", "1", "-o",
        grid.toString(), "-q").code());
    // the grid of one image is the image itself padded: write a plain 32x32 input from the text-to-image result
    BufferedImage g = ImageIO.read(grid.toFile());
    BufferedImage input = new BufferedImage(40, 34, BufferedImage.TYPE_INT_RGB); // 34: not a multiple of 4, rounded down
    for (int y = 0; y < 34; y++) {
      for (int x = 0; x < 40; x++) {
        input.setRGB(x, y, g.getRGB(Math.min(x, g.getWidth() - 1), Math.min(y, g.getHeight() - 1)));
      }
    }
    Path in = dir.resolve("in.png");
    ImageIO.write(input, "png", in.toFile());
    BufferedImage mask = new BufferedImage(40, 34, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 34; y++) {
      for (int x = 20; x < 40; x++) {
        mask.getRaster().setSample(x, y, 0, 255);
      }
    }
    Path m = dir.resolve("mask.png");
    ImageIO.write(mask, "png", m.toFile());

    Run i2i = run("img2img", SD1.toString(), "--image", in.toString(), "--prompt", "an oil painting", "--strength",
        "0.6", "--steps", "5", "-n", "2", "-o", dir.resolve("i2i.png").toString(), "-q");
    assertEquals(0, i2i.code(), i2i.err());
    BufferedImage row = ImageIO.read(dir.resolve("i2i.png").toFile());
    int pad = io.jdiffusion.image.ImageGrid.DEFAULT_PADDING;
    assertEquals(3 * 40 + 4 * pad, row.getWidth()); // the input, then 2 edits
    assertEquals(32 + 2 * pad, row.getHeight()); // 34 rounded down to a multiple of 4 (this autoencoder's scale)
    Run inp = run("inpaint", SD1.toString(), "--image", in.toString(), "--mask", m.toString(), "--prompt", "ivy",
        "--steps", "4", "-n", "1", "-o", dir.resolve("inp.png").toString(), "-q");
    assertEquals(0, inp.code(), inp.err());
    assertTrue(PngText.read(dir.resolve("inp.png")).get("jdiffusion").contains("\"prompt\":\"ivy\""));

    BufferedImage small = new BufferedImage(20, 18, BufferedImage.TYPE_BYTE_GRAY);
    Path badMask = dir.resolve("small.png");
    ImageIO.write(small, "png", badMask.toFile());
    assertCleanError(run("inpaint", SD1.toString(), "--image", in.toString(), "--mask", badMask.toString(), "--prompt",
        "x", "-o", dir.resolve("x.png").toString()), "a mask must have its image's size");
    assertCleanError(run("img2img", SD1.toString(), "--image", in.toString(), "--prompt", "x", "--strength", "0.1",
        "--steps", "5", "-o", dir.resolve("x.png").toString()), "leaves no step");
    assertCleanError(run("inpaint", "fashion-mnist", "--image", in.toString(), "--mask", m.toString(), "--strength",
        "0.5", "-o", dir.resolve("x.png").toString()), "--strength applies to text-to-image pipelines");
  }

  @Test
  void aPromptOverTheTokenLimitIsCutWithOneNote(@TempDir Path dir) {
    String longPrompt = "a tall lighthouse on a rocky coast at sunset with waves ".repeat(12).strip();
    Run r = run("sample", SD1.toString(), "--prompt", longPrompt, "--steps", "1", "-n", "1", "-o",
        dir.resolve("long.png").toString(), "-q");
    assertEquals(0, r.code(), r.err());
    java.util.List<String> notes = r.err().lines().filter(l -> l.startsWith("note: The following part of your input "
        + "was truncated because CLIP can only handle sequences up to 77 tokens: ")).toList();
    assertEquals(1, notes.size(), r.err());
  }
}
