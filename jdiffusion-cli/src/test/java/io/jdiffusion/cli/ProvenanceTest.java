package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.image.PngText;
import io.jdiffusion.store.Json;
import io.jdiffusion.util.ToolVersion;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every sampled PNG says where it came from, and that is enough to make it again; no user's file is lost. */
class ProvenanceTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void eachImageCarriesItsSeedAndIsMadeAgainFromIt(@TempDir Path dir) throws Exception {
    CliTest.Run r = run("sample", "fashion-mnist-cond", "-n", "3", "--steps", "4", "--seed", "7", "--class", "Sneaker",
        "--guidance", "2", "-q", "--each", dir.resolve("each").toString(), "-o", dir.resolve("grid.png").toString(),
        "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode result = Json.mapper().readTree(r.out().strip());
    assertEquals(3, result.get("images").asInt());
    assertEquals(7, result.get("seeds").get(0).asLong());
    assertEquals(9, result.get("seeds").get(1).asLong());
    assertEquals("Sneaker", result.get("class").asText());
    String sha = result.get("model_sha256").asText();
    assertEquals(64, sha.length());

    Map<String, String> grid = PngText.read(dir.resolve("grid.png"));
    assertEquals("jdiffusion " + ToolVersion.get(), grid.get("Software"));
    assertTrue(grid.get("Description").contains("seeds 7 .. 9"), grid.get("Description"));
    for (int i = 0; i < 3; i++) {
      Path file = dir.resolve("each").resolve("seed-" + (7 + i) + ".png");
      JsonNode p = Json.mapper().readTree(PngText.read(file).get("jdiffusion"));
      assertEquals(7 + i, p.get("seed").asLong());
      assertEquals("ddim", p.get("sampler").asText());
      assertEquals(4, p.get("steps").asInt());
      assertEquals("Sneaker", p.get("class").asText());
      assertEquals(2.0, p.get("guidance").asDouble());
      assertEquals(sha, p.get("model_sha256").asText());
      // the chunk's settings alone make the same image again
      Path again = dir.resolve("again-" + i);
      CliTest.Run one = run("sample", p.get("model").asText(), "-n", "1", "--steps", p.get("steps").asText(),
          "--seed", p.get("seed").asText(), "--class", p.get("class").asText(), "--guidance",
          p.get("guidance").asText(), "--sampler", p.get("sampler").asText(), "-q", "-o",
          dir.resolve("again-" + i + ".png").toString(), "--each", again.toString());
      assertEquals(0, one.code(), one.err());
      assertPixelsEqual(ImageIO.read(file.toFile()), ImageIO.read(again.resolve(file.getFileName()).toFile()),
          file.toString());
    }
  }

  @Test
  void aPictureJdiffusionDidNotWriteIsNotReplacedWithoutForce(@TempDir Path dir) throws Exception {
    Path mine = dir.resolve("mine.png");
    ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", mine.toFile());
    byte[] before = Files.readAllBytes(mine);
    assertCleanError(run("sample", "-n", "1", "--steps", "2", "-q", "-o", mine.toString()),
        "exists and was not written by jdiffusion; pass --force to replace it");
    assertEquals(-1L, Files.mismatch(mine, writeBytes(dir.resolve("copy.bin"), before)));
    CliTest.Run forced = run("sample", "-n", "1", "--steps", "2", "-q", "-o", mine.toString(), "--force");
    assertEquals(0, forced.code(), forced.err());
    // its own output is replaced on the next run without --force
    CliTest.Run again = run("sample", "-n", "1", "--steps", "2", "-q", "-o", mine.toString(), "--seed", "3");
    assertEquals(0, again.code(), again.err());
    assertTrue(PngText.read(mine).get("Description").contains("seed 3"));
  }

  private static Path writeBytes(Path p, byte[] b) throws Exception {
    return Files.write(p, b);
  }

  private static void assertPixelsEqual(BufferedImage a, BufferedImage b, String what) {
    assertEquals(a.getWidth(), b.getWidth(), what);
    assertEquals(a.getHeight(), b.getHeight(), what);
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        assertEquals(a.getRGB(x, y), b.getRGB(x, y), what + " pixel " + x + "," + y);
      }
    }
  }
}
