package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
  @TempDir Path dir;

  /** 103 images of digit 0, 101 of the others: train keeps 3 and 1, test 100 of each. */
  private static final int[] PER_DIGIT = {103, 101, 101, 101, 101, 101, 101, 101, 101, 101};

  private Path fixture() throws IOException {
    return Fixtures.mnist(dir.resolve("package/src/digits"), PER_DIGIT);
  }

  @Test
  void splitIsTheLastHundredPerDigitForTest() throws IOException {
    fixture();
    Mnist train = Mnist.load(dir, true);
    Mnist test = Mnist.load(dir, false);
    assertEquals(3 + 9, train.size());
    assertEquals(1000, test.size());
    assertEquals(10, train.numClasses());
    assertEquals(1, train.channels());
    assertEquals(28, train.height());

    float[] img = new float[784];
    // train: digit 0 images 0, 1, 2; then digit 1 image 0, ...
    int[][] expected = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {2, 0}, {9, 0}};
    int[] at = {0, 1, 2, 3, 4, 11};
    for (int k = 0; k < at.length; k++) {
      train.read(at[k], img, 0);
      int d = expected[k][0];
      int i = expected[k][1];
      assertEquals(d, train.label(at[k]));
      assertEquals(Fixtures.mnistByte(d, i, 0), Math.round(img[0] * 255), "image " + at[k]);
      assertEquals(i, Math.round(img[1] * 255));
    }
    // test: digit 0 images 3..102, digit 1 images 1..100, ...
    test.read(0, img, 0);
    assertEquals(3, Math.round(img[1] * 255));
    test.read(99, img, 0);
    assertEquals(102, Math.round(img[1] * 255));
    test.read(100, img, 0);
    assertEquals(1, test.label(100));
    assertEquals(1, Math.round(img[1] * 255));
    int[] counts = new int[10];
    for (int k = 0; k < test.size(); k++) {
      counts[test.label(k)]++;
    }
    assertEquals("[100, 100, 100, 100, 100, 100, 100, 100, 100, 100]", Arrays.toString(counts));
    assertTrue(train.describe().contains("first 10000 MNIST training images only"), train.describe());
  }

  @Test
  void threeDecimalValuesRoundBackToTheExactBytes() throws IOException {
    fixture();
    Mnist train = Mnist.load(dir, true);
    float[] img = new float[784];
    for (int k : new int[] {0, 5, 11}) {
      train.read(k, img, 0);
      int d = train.label(k);
      int i = k < 3 ? k : 0;
      for (int p = 0; p < 784; p++) {
        assertEquals(Fixtures.mnistByte(d, i, p) / 255f, img[p], 0f, "pixel " + p);
      }
    }
    assertTrue(train.quantisationError() > 0 && train.quantisationError() <= 0.1275 + 1e-9,
        "error " + train.quantisationError());
  }

  @Test
  void acceptsThePackageTheSrcFolderOrTheDigitsFolder() throws IOException {
    Path digits = fixture();
    assertEquals(1000, Mnist.load(dir, false).size());
    assertEquals(1000, Mnist.load(dir.resolve("package"), false).size());
    assertEquals(1000, Mnist.load(digits, false).size());
    ImageDataset ds = Datasets.open("mnist-test:" + dir, 32, 3);
    assertInstanceOf(ResizedDataset.class, ds);
    assertEquals(1000, ds.size());
    assertEquals(3, ds.channels());
    assertEquals(new Datasets.Shape(1, 28), Datasets.nativeShape("mnist:" + dir));
  }

  @Test
  void statisticsMatchADirectComputation() throws IOException {
    fixture();
    Mnist test = Mnist.load(dir, false);
    double sum = 0;
    double sumSq = 0;
    for (int d = 0; d < 10; d++) {
      for (int i = PER_DIGIT[d] - 100; i < PER_DIGIT[d]; i++) {
        for (int p = 0; p < 784; p++) {
          double v = Fixtures.mnistByte(d, i, p) / 255.0;
          sum += v;
          sumSq += v * v;
        }
      }
    }
    double n = 1000.0 * 784;
    DatasetStats s = DatasetStats.of(test);
    assertEquals(sum / n, s.mean()[0], 1e-6);
    assertEquals(Math.sqrt(sumSq / n - (sum / n) * (sum / n)), s.std()[0], 1e-6);
    assertEquals(0, s.unlabelled());
  }

  @Test
  void missingFolderSaysHowToFetch() {
    DataException e = assertThrows(DataException.class, () -> Mnist.load(dir.resolve("nope"), true));
    assertTrue(e.getMessage().contains("data fetch mnist"), e.getMessage());
    DataException f = assertThrows(DataException.class, () -> Mnist.load(dir, true));
    assertTrue(f.getMessage().startsWith(dir + ": no MNIST digit files"), f.getMessage());
  }

  @Test
  void malformedDigitFilesAreNamed() throws IOException {
    Path digits = fixture();
    Path seven = digits.resolve("7.json");
    String good = Files.readString(seven);

    Files.writeString(seven, good.substring(0, good.length() / 2));
    assertMessage(seven, "truncated");

    Files.writeString(seven, "{\"pixels\": [0, 1]}");
    assertMessage(seven, "no \"data\" field");

    Files.writeString(seven, "[0, 1, 2]");
    assertMessage(seven, "expected a JSON object");

    Files.writeString(seven, "{\"data\": [0, \"x\"]}");
    assertMessage(seven, "element 1 is a string");

    Files.writeString(seven, "{\"data\": [0, 1.5]}");
    assertMessage(seven, "value 1.5 at index 1");

    Files.writeString(seven, "{\"data\": [0, 0.5, 1]}");
    assertMessage(seven, "not a positive multiple of 784");

    Files.writeString(seven, "{\"data\": [0, 0.5,, 1]}");
    assertMessage(seven, "malformed JSON");

    Files.writeString(seven, good + " {}");
    assertMessage(seven, "unexpected content");

    Files.delete(seven);
    assertMessage(seven, "file not found");
  }

  @Test
  void tooFewImagesForTheSplitIsExplained() throws IOException {
    Fixtures.mnist(dir, 101, 101, 101, 100, 101, 101, 101, 101, 101, 101);
    DataException e = assertThrows(DataException.class, () -> Mnist.load(dir, true));
    assertTrue(e.getMessage().startsWith(dir.resolve("3.json") + ": only 100 images"), e.getMessage());
  }

  @Test
  void upstreamIdxFilesAreTheFullMnist() {
    byte[] pixels = new byte[3 * 784];
    pixels[784 + 5] = (byte) 200;
    Idx.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), pixels, 3, 28, 28, true);
    Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), new byte[] {7, 2, 9}, true);
    Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[784], 1, 28, 28, true);
    Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {4}, true);
    Mnist train = Mnist.load(dir, true);
    assertEquals(3, train.size());
    assertEquals(2, train.label(1));
    float[] img = new float[784];
    train.read(1, img, 0);
    assertEquals(200 / 255f, img[5], 0f);
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), train.classNames());
    assertTrue(train.describe().contains("upstream IDX"), train.describe());
    assertEquals(4, Mnist.load(dir, false).label(0));

    Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[32 * 32], 1, 32, 32, true);
    DataException e = assertThrows(DataException.class, () -> Mnist.load(dir, false));
    assertEquals(dir + ": IDX images are 32x32, MNIST's are 28x28", e.getMessage());
  }

  private void assertMessage(Path file, String part) {
    DataException e = assertThrows(DataException.class, () -> Mnist.load(dir, true));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }
}
