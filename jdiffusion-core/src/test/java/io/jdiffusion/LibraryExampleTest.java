package io.jdiffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.pipeline.DiffusionPipeline;
import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.SampleOptions;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's library example, run as it is written there. */
class LibraryExampleTest {
  private static final String CHECK = "// check";

  @Test
  void theReadmeExampleRunsAndMeansWhatItSays() throws Exception {
    List<BufferedImage> seen = new ArrayList<>();
    DiffusionPipeline closedLater;
    // README begin
    try (DiffusionPipeline p = DiffusionPipeline.load("fashion-mnist")) {  // or a run directory, checkpoint, weights file
      Images images = p.generate(16, SampleOptions.dpmSolver(20).withSeed(7));
      images.writeGrid(Path.of("target/library-example.png"));     // or images.toBufferedImages(), images.png(i)
      seen.addAll(images.toBufferedImages()); // check
      assertEquals(10, images.seed(3)); // check
      closedLater = p; // check
      // image 3 is seed 10's, whatever the batch: the same as the lower-level call for seed 10 alone  // check
      float[] alone = Generate.images(p.model(), 1, null, SampleOptions.dpmSolver(20).withSeed(10), null); // check
      assertArrayEquals(alone, p.generate(1, SampleOptions.dpmSolver(20).withSeed(10), null, 1).pixels()); // check
      assertEquals(Math.round(alone[406] * 255), images.image(3).getRaster().getSample(406 % 28, 406 / 28, 0)); // check
    }
    // README end
    assertEquals(16, seen.size());
    assertEquals(28, seen.get(0).getWidth());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, seen.get(0).getType());
    assertThrows(IllegalStateException.class, () -> closedLater.generate(1, SampleOptions.ddim(2)));
  }

  @Test
  void theReadmeShowsExactlyThisCode() throws Exception {
    String test = Files.readString(Path.of("src/test/java/io/jdiffusion/LibraryExampleTest.java"), StandardCharsets.UTF_8);
    List<String> tested = new ArrayList<>();
    boolean in = false;
    for (String line : test.split("\n")) {
      if (line.contains("// README end")) {
        break;
      }
      if (in && !line.contains(CHECK)) {
        tested.add(line.strip());
      }
      in |= line.contains("// README begin");
    }
    String readme = Files.readString(TestTorch.repoRoot().resolve("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("```java", readme.indexOf("### As a library"));
    String block = readme.substring(start + "```java".length(), readme.indexOf("```", start + 7));
    List<String> shown = new ArrayList<>();
    for (String line : block.strip().split("\n")) {
      if (!line.startsWith("import ") && !line.isBlank()) {
        shown.add(line.strip());
      }
    }
    assertEquals(tested, shown, "README's library example and LibraryExampleTest differ");
    assertTrue(shown.size() <= 8, shown.size() + " lines");
    for (String line : block.split("\n")) {
      if (line.startsWith("import ")) {
        assertTrue(test.contains(line), "the README imports what the test does not: " + line);
      }
    }
  }
}
