package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.train.Batches;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomCropTest {
  @TempDir Path dir;

  @Test
  void plainReadIsTheCentreWindowAndRandomReadsMoveIt() {
    RandomCrop crop = RandomCrop.of(Fixtures.ramp(3, 9), 5);
    assertEquals(4, crop.margin());
    assertEquals(5, crop.height());
    float[] v = new float[25];
    crop.read(1, v, 0);
    assertEquals((100 + 2 * 9 + 2) / 1e4f, v[0], 0f, "top-left of the centre window is (2, 2)");
    assertEquals((100 + 6 * 9 + 6) / 1e4f, v[24], 0f);

    Set<Integer> origins = new HashSet<>();
    SplittableRandom rng = new SplittableRandom(1);
    for (int k = 0; k < 200; k++) {
      crop.read(2, v, 0, rng);
      int p = Math.round(v[0] * 1e4f) - 200;
      int x0 = p % 9;
      int y0 = p / 9;
      assertTrue(x0 <= 4 && y0 <= 4, "window inside the image");
      assertEquals((200 + (y0 + 4) * 9 + x0 + 4) / 1e4f, v[24], 0f, "a contiguous 5x5 window");
      origins.add(p);
    }
    assertEquals(25, origins.size(), "all 5x5 offsets occur");
    assertEquals(1, crop.label(1));
    assertEquals(List.of("even", "odd"), crop.classNames());
  }

  @Test
  void batchesDrawCropsFromTheSeedAndStep() {
    RandomCrop crop = RandomCrop.of(Fixtures.ramp(10, 12), 8);
    try (Batches a = new Batches(crop, 4, 7, false, 0, true);
        Batches b = new Batches(crop, 4, 7, false, 0, true)) {
      float[] first = a.make(3).images();
      assertTrue(Arrays.equals(first, b.make(3).images()), "same seed and step, same crops");
      assertTrue(Arrays.equals(a.make(3).labels(), b.make(3).labels()));
      Batches.Batch other = a.make(4);
      assertNotEquals(Arrays.toString(first), Arrays.toString(other.images()));
    }
  }

  @Test
  void randomCropSpecLoadsTheFolderLargerAndCrops() throws IOException {
    BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    Fixtures.png(img, dir.resolve("a/x.png"));
    Fixtures.png(img, dir.resolve("b/y.png"));
    assertEquals(36, RandomCrop.sourceSize(32));
    assertEquals(9, RandomCrop.sourceSize(8));
    ImageDataset ds = Datasets.open("random-crop:" + dir, 32, 3);
    RandomCrop crop = assertInstanceOf(RandomCrop.class, ds);
    assertEquals(4, crop.margin());
    assertEquals(32, ds.width());
    assertEquals(2, ds.numClasses());
    assertTrue(ds.describe().contains("3x36x36") && ds.describe().endsWith("random 32x32 crops"), ds.describe());
    DataException e = assertThrows(DataException.class, () -> Datasets.open("random-crop", 32, 3));
    assertTrue(e.getMessage().contains("random-crop:DIR"), e.getMessage());
    assertThrows(DataException.class, () -> RandomCrop.of(Fixtures.ramp(1, 4), 5));
  }
}
