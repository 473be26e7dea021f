package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
  @TempDir Path dir;

  /** Image k of a split must hold the fixture's pixels of image {@code number} in R, G, B planes. */
  private static void assertImage(ImageDataset ds, int k, int number) {
    float[] img = new float[3 * 1024];
    ds.read(k, img, 0);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        int[] rgb = Fixtures.cifarRgb(number, x, y);
        for (int c = 0; c < 3; c++) {
          assertEquals(rgb[c] / 255f, img[c * 1024 + y * 32 + x], 0f,
              "image " + k + " channel " + c + " pixel (" + x + ", " + y + ")");
        }
      }
    }
    assertEquals(Fixtures.cifarLabel(number), ds.label(k));
  }

  @Test
  void pngLayoutIsReadInRgbOrderWithColumnYTimes32PlusX() throws IOException {
    Fixtures.cifarPngLayout(dir, 2, 3);
    // ImageIO hands an RGB PNG back as TYPE_3BYTE_BGR: the case the loader must not get backwards
    assertEquals(BufferedImage.TYPE_3BYTE_BGR, ImageIO.read(dir.resolve("test_batch.png").toFile()).getType());
    Cifar10 train = Cifar10.load(dir, true);
    Cifar10 test = Cifar10.load(dir, false);
    assertEquals(10, train.size());
    assertEquals(3, test.size());
    assertEquals(3, train.channels());
    assertEquals(32, train.height());
    assertEquals(Cifar10.CLASS_NAMES, train.classNames());
    for (int k = 0; k < 10; k++) {
      assertImage(train, k, k);
    }
    for (int k = 0; k < 3; k++) {
      assertImage(test, k, 1000 + k);
    }
    assertTrue(train.describe().contains("PNG"), train.describe());
  }

  @Test
  void binaryLayoutGivesTheSameImages() throws IOException {
    Fixtures.cifarBinaryLayout(dir.resolve("cifar-10-batches-bin"), 2, 3);
    Cifar10 train = Cifar10.load(dir, true);
    Cifar10 test = Cifar10.load(dir, false);
    assertEquals(10, train.size());
    for (int k = 0; k < 10; k++) {
      assertImage(train, k, k);
    }
    for (int k = 0; k < 3; k++) {
      assertImage(test, k, 1000 + k);
    }
    assertTrue(train.describe().contains("binary"), train.describe());
  }

  @Test
  void npmPackageSubfolderAndCorrectlySpelledLabelsAreAccepted() throws IOException {
    Path pkg = dir.resolve("package");
    Fixtures.cifarPngLayout(pkg, 1, 2);
    Files.move(pkg.resolve("test_lables.json"), pkg.resolve("test_labels.json"));
    assertEquals(2, Cifar10.load(dir, false).size());
    ImageDataset grey = Datasets.open("cifar10-test:" + dir, 16, 1);
    assertEquals(2, grey.size());
    assertEquals(1, grey.channels());
    assertEquals(16, grey.height());
    assertEquals(new Datasets.Shape(3, 32), Datasets.nativeShape("cifar10-test:" + dir));
  }

  @Test
  void statisticsMatchADirectComputation() throws IOException {
    Fixtures.cifarPngLayout(dir, 2, 3);
    DatasetStats s = DatasetStats.of(Cifar10.load(dir, true));
    double[] sum = new double[3];
    double[] sumSq = new double[3];
    for (int n = 0; n < 10; n++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int[] rgb = Fixtures.cifarRgb(n, x, y);
          for (int c = 0; c < 3; c++) {
            sum[c] += rgb[c] / 255.0;
            sumSq[c] += (rgb[c] / 255.0) * (rgb[c] / 255.0);
          }
        }
      }
    }
    double count = 10 * 1024;
    for (int c = 0; c < 3; c++) {
      double mean = sum[c] / count;
      assertEquals(mean, s.mean()[c], 1e-6, "mean of channel " + c);
      assertEquals(Math.sqrt(sumSq[c] / count - mean * mean), s.std()[c], 1e-6, "std of channel " + c);
    }
    int[] counts = new int[10];
    for (int n = 0; n < 10; n++) {
      counts[Fixtures.cifarLabel(n)]++;
    }
    assertEquals(Arrays.toString(counts), Arrays.toString(s.classCounts()));
  }

  @Test
  void nonRgbPngsAreReadThroughTheirColourModel() throws IOException {
    Fixtures.cifarPngLayout(dir, 1, 1);
    BufferedImage grey = new BufferedImage(1024, 1, BufferedImage.TYPE_BYTE_GRAY);
    for (int j = 0; j < 1024; j++) {
      grey.getRaster().setSample(j, 0, 0, j % 256);
    }
    Fixtures.png(grey, dir.resolve("test_batch.png"));
    float[] img = new float[3 * 1024];
    Cifar10.load(dir, false).read(0, img, 0);
    for (int c = 0; c < 3; c++) {
      assertEquals(77 / 255f, img[c * 1024 + 77], 0f, "grey replicated, channel " + c);
    }
  }

  @Test
  void pngOfTheWrongWidthIsNamed() throws IOException {
    Fixtures.cifarPngLayout(dir, 1, 1);
    Fixtures.png(new BufferedImage(1000, 1, BufferedImage.TYPE_INT_RGB), dir.resolve("test_batch.png"));
    DataException e = assertThrows(DataException.class, () -> Cifar10.load(dir, false));
    assertEquals(dir.resolve("test_batch.png") + ": 1000x1 pixels, but a CIFAR-10 PNG batch is 1024 pixels wide"
        + " (one 32x32 image per row)", e.getMessage());
  }

  @Test
  void labelCountMismatchNamesTheLabelFile() throws IOException {
    Fixtures.cifarPngLayout(dir, 2, 3);
    Path labels = dir.resolve("train_lables.json");
    Files.writeString(labels, Fixtures.labelsJson(9));
    DataException e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertTrue(e.getMessage().startsWith(labels + ": 9 labels, but the PNG batches up to data_batch_5.png"),
        e.getMessage());
    Files.writeString(labels, Fixtures.labelsJson(11));
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertTrue(e.getMessage().startsWith(labels + ": 11 labels, but the 5 PNG batch(es)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("hold 10 images"), e.getMessage());
  }

  @Test
  void badLabelsAreNamed() throws IOException {
    Fixtures.cifarPngLayout(dir, 1, 2);
    Path labels = dir.resolve("test_lables.json");
    for (String[] c : new String[][] {
        {"[1, 10]", "label 10.0 at index 1 is not an integer in 0..9"},
        {"[1, 2.5]", "label 2.5 at index 1"},
        {"[1, -1]", "label -1.0 at index 1"},
        {"{\"labels\": [1, 2]}", "expected a JSON array"},
        {"[1, [2]]", "element 1 is an array"},
        {"[]", "no labels"},
        {"[1, 2", "truncated"},
        {"", "empty file"}}) {
      Files.writeString(labels, c[0]);
      DataException e = assertThrows(DataException.class, () -> Cifar10.load(dir, false), c[0]);
      assertTrue(e.getMessage().startsWith(labels.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void corruptTruncatedOrMissingPngIsNamed() throws IOException {
    Fixtures.cifarPngLayout(dir, 1, 1);
    Path png = dir.resolve("data_batch_3.png");
    byte[] bytes = Files.readAllBytes(png);
    Files.write(png, Arrays.copyOf(bytes, bytes.length / 2));
    DataException e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertTrue(e.getMessage().startsWith(png + ": unreadable PNG"), e.getMessage());
    Files.write(png, "not a png".getBytes());
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertTrue(e.getMessage().startsWith(png + ": unreadable PNG (not a supported image format)"), e.getMessage());
    Files.delete(png);
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertTrue(e.getMessage().startsWith(png + ": file not found"), e.getMessage());
  }

  @Test
  void binaryFilesOfTheWrongSizeOrLabelAreNamed() throws IOException {
    Fixtures.cifarBinaryLayout(dir, 1, 2);
    Path test = dir.resolve("test_batch.bin");
    Files.write(test, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    DataException e = assertThrows(DataException.class, () -> Cifar10.load(dir, false));
    assertTrue(e.getMessage().startsWith(test + ": 6149 bytes is not a whole number of CIFAR-10 records (3073"),
        e.getMessage());

    Files.write(test, new byte[2 * 3074]);
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, false));
    assertTrue(e.getMessage().contains("CIFAR-100"), e.getMessage());

    byte[] records = Fixtures.cifarBinary(0, 2);
    records[3073] = 10;
    Files.write(test, records);
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, false));
    assertEquals(test + ": label 10 of record 1 (byte offset 3073) is outside 0..9; is this really a CIFAR-10"
        + " binary batch?", e.getMessage());

    Files.write(test, new byte[0]);
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, false));
    assertTrue(e.getMessage().startsWith(test + ": 0 bytes"), e.getMessage());
  }

  @Test
  void missingFolderBatchOrPythonVersionIsExplained() throws IOException {
    DataException e = assertThrows(DataException.class, () -> Cifar10.load(dir.resolve("none"), true));
    assertTrue(e.getMessage().contains("data fetch cifar10"), e.getMessage());
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertTrue(e.getMessage().startsWith(dir + ": no CIFAR-10 batches"), e.getMessage());

    Fixtures.cifarBinaryLayout(dir, 1, 1);
    Files.delete(dir.resolve("data_batch_4.bin"));
    e = assertThrows(DataException.class, () -> Cifar10.load(dir, true));
    assertEquals(dir.resolve("data_batch_4.bin") + ": file not found (CIFAR-10 batch or label file missing)",
        e.getMessage());
    assertEquals(1, Cifar10.load(dir, false).size(), "the test split does not need the train batches");

    Path py = dir.resolve("py");
    Files.createDirectories(py.resolve("cifar-10-batches-py"));
    Files.write(py.resolve("cifar-10-batches-py/data_batch_1"), new byte[] {(byte) 0x80, 2});
    e = assertThrows(DataException.class, () -> Cifar10.load(py, true));
    assertTrue(e.getMessage().contains("Python (pickle) version"), e.getMessage());
    assertTrue(e.getMessage().contains("binary version"), e.getMessage());
  }
}
