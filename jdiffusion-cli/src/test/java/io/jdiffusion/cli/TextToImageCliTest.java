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
        "--negative-prompt", "blurry", "--steps", "3", "-n", "1", "--seed", "6", "-o", dir.resolve("alone.png").toString(),
        "-q");
    assertEquals(0, alone.code(), alone.err());
    BufferedImage b = ImageIO.read(dir.resolve("alone.png").toFile());
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertEquals(one.getRGB(x, y), b.getRGB(x, y), "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void badInputIsOneErrorLine(@TempDir Path dir) throws Exception {
    String out = dir.resolve("x.png").toString();
    assertCleanError(run("sample", SD1.toString(), "--prompt", "a", "--width", "36", "-o", out), "multiples of 4");
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
}
