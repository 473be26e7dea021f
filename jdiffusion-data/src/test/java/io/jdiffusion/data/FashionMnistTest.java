package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  /** Mean pixel of the embedded subset (first 10000 train images), computed with Python. */
  private static final double SUBSET_MEAN = 0.28630892;

  private static void fixture(Path dir, String prefix, int images, int labels, boolean gzip) {
    byte[] pixels = new byte[images * 4 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    byte[] lab = new byte[labels];
    for (int i = 0; i < labels; i++) {
      lab[i] = (byte) (i % 10);
    }
    String gz = gzip ? ".gz" : "";
    Idx.writeImages(dir.resolve(prefix + "-images-idx3-ubyte" + gz), pixels, images, 4, 3, gzip);
    Idx.writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), lab, gzip);
  }

  @Test
  void loadsTrainAndTestSplitsGzippedOrNot() {
    fixture(dir, "train", 12, 12, true);
    fixture(dir, "t10k", 5, 5, false);
    FashionMnist train = FashionMnist.load(dir, true);
    FashionMnist test = FashionMnist.load(dir, false);
    assertEquals(12, train.size());
    assertEquals(5, test.size());
    assertEquals(1, train.channels());
    assertEquals(4, train.height());
    assertEquals(3, train.width());
    assertEquals(12, train.imageSize());
    assertEquals(10, train.numClasses());
    assertEquals(3, train.label(3));
    assertEquals(1, train.label(11));
    assertTrue(train.describe().startsWith("fashion-mnist train (12 x 1x4x3)"), train.describe());
    assertTrue(test.describe().startsWith("fashion-mnist test"), test.describe());

    float[] dst = new float[2 + 12];
    train.read(1, dst, 2);
    for (int i = 0; i < 12; i++) {
      assertEquals(((12 + i) * 7 & 0xFF) / 255f, dst[2 + i], 0f);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> train.read(12, dst, 0));
  }

  @Test
  void classNamesAreTheUpstreamOnes() {
    assertEquals(
        java.util.List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot"),
        FashionMnist.CLASS_NAMES);
    // the copy that loading first-version checkpoints falls back to (core cannot see the data module)
    assertEquals(FashionMnist.CLASS_NAMES, io.jdiffusion.model.Checkpoints.FASHION_MNIST_CLASS_NAMES);
  }

  @Test
  void countMismatchNamesBothFiles() {
    fixture(dir, "train", 6, 5, true);
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir, true));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz: 5 labels"), e.getMessage());
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz has 6 images"), e.getMessage());
  }

  @Test
  void anImageHeaderThatDisagreesWithTheLabelsIsRefusedBeforeItsPayloadIsRead() throws Exception {
    fixture(dir, "train", 10, 10, true);
    // a gzip bomb's header: 1.5e9 one-pixel images (whose zeros would be 1.5 GB decompressed, 1.5 MB on disk);
    // the check of the two headers refuses it without reading on, so its payload may as well be missing
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(gz))) {
      out.writeInt(Idx.IMAGES_MAGIC);
      out.writeInt(1_500_000_000);
      out.writeInt(1);
      out.writeInt(1);
      out.write(new byte[1 << 16]);
    }
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gz.toByteArray());
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir, true));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz: 10 labels but ")
        && e.getMessage().endsWith("train-images-idx3-ubyte.gz has 1500000000 images"), e.getMessage());
  }

  @Test
  void labelOutOfRangeIsReported() {
    fixture(dir, "train", 2, 2, false);
    Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte"), new byte[] {1, 10}, false);
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir, true));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte: label 10 at index 1"),
        e.getMessage());
  }

  @Test
  void missingFolderSaysHowToGetTheData() {
    Path missing = dir.resolve("nowhere");
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(missing, true));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    fixture(dir, "train", 3, 3, true);
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir, false));
    assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void embeddedSubsetIsTheFirst10000TrainImages() {
    FashionMnist ds = FashionMnist.embedded();
    assertEquals(10000, ds.size());
    assertEquals(1, ds.channels());
    assertEquals(28, ds.height());
    assertEquals(28, ds.width());
    int[] counts = new int[10];
    double sum = 0;
    float[] img = new float[784];
    for (int i = 0; i < ds.size(); i++) {
      counts[ds.label(i)]++;
      ds.read(i, img, 0);
      for (float v : img) {
        assertTrue(v >= 0f && v <= 1f);
        sum += v;
      }
    }
    double mean = sum / (10000.0 * 784);
    assertEquals(0.2860, mean, 0.01, "near the full training-set mean");
    assertEquals(SUBSET_MEAN, mean, 1e-6, "exact subset mean");
    assertEquals(
        java.util.List.of(942, 1027, 1016, 1019, 974, 989, 1021, 1022, 990, 1000),
        java.util.Arrays.stream(counts).boxed().toList());
    assertEquals(9, ds.label(0), "the first training image is an ankle boot");
    assertTrue(ds.describe().contains("10000 x 1x28x28"), ds.describe());
  }

  @Test
  void debianPackageMatchesEmbeddedSubsetWhenInstalled() {
    if (!Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
      return; // package not installed here
    }
    FashionMnist full = FashionMnist.load(FashionMnist.DEFAULT_DIR, true);
    FashionMnist subset = FashionMnist.embedded();
    assertEquals(60000, full.size());
    float[] a = new float[784];
    float[] b = new float[784];
    for (int i : new int[] {0, 1, 4999, 9999}) {
      full.read(i, a, 0);
      subset.read(i, b, 0);
      assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
      assertEquals(full.label(i), subset.label(i));
    }
    assertEquals(10000, FashionMnist.load(FashionMnist.DEFAULT_DIR, false).size());
  }
}
