package io.jdiffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.sampling.Samplers;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batch size does not change a text-to-image call's images: one image per batch reuses the prompt's
 * and negative prompt's encodings across batches (each batch's scope closing must not free them).
 */
class TextToImageBatchTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void oneImagePerBatchGivesTheImagesOfOneBatch() throws Exception {
    Path dir = Path.of(TextToImageBatchTest.class.getResource("/io/jdiffusion/t2i/pipelines/sd1").toURI());
    try (StableDiffusion sd = StableDiffusion.load(dir, null, w -> { })) {
      PromptOptions p = PromptOptions.of("a castle on a hill").withNegative("fog").withSize(32, 32);
      SampleOptions o = TextToImage.defaults(sd, Samplers.DDIM).withSteps(3).withSeed(9);
      float[] together = TextToImage.generate(sd, 3, p, o.withBatch(3), null, w -> { }).pixels();
      float[] oneByOne = TextToImage.generate(sd, 3, p, o.withBatch(1), null, w -> { }).pixels();
      assertArrayEquals(together, oneByOne, 1e-5f);
    }
  }
}
