package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  @Test
  void defaultIsTheEmbeddedSubset() {
    for (String spec : new String[] {null, "", "fashion-mnist-subset"}) {
      ImageDataset ds = Datasets.open(spec, 28, 1);
      assertInstanceOf(FashionMnist.class, ds);
      assertEquals(10000, ds.size());
    }
  }

  @Test
  void fashionMnistIsResampledToOtherShapes() {
    ImageDataset plain = Datasets.open("fashion-mnist-subset", 28, 1);
    ImageDataset ds = Datasets.open("fashion-mnist-subset", 32, 3);
    assertEquals(10000, ds.size());
    assertEquals(3, ds.channels());
    assertEquals(32, ds.height());
    assertEquals(32, ds.width());
    assertEquals(10, ds.numClasses());
    assertEquals(plain.label(17), ds.label(17));
    assertTrue(ds.describe().endsWith("resampled to 3x32x32"), ds.describe());

    float[] a = new float[784];
    float[] b = new float[3 * 1024];
    double meanA = 0;
    double meanB = 0;
    for (int i = 0; i < 100; i++) {
      plain.read(i, a, 0);
      ds.read(i, b, 0);
      for (float v : a) {
        meanA += v / 784.0;
      }
      for (int k = 0; k < 1024; k++) {
        assertEquals(b[k], b[1024 + k], 0f, "grey replicated to RGB");
        assertEquals(b[k], b[2048 + k], 0f, "grey replicated to RGB");
        assertTrue(b[k] >= 0f && b[k] <= 1f);
        meanB += b[k] / 1024.0;
      }
    }
    assertEquals(meanA / 100, meanB / 100, 0.005, "resampling preserves brightness");
  }

  @Test
  void fashionMnistFromAFolder() {
    Idx.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), new byte[2 * 28 * 28], 2, 28, 28, true);
    Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), new byte[] {3, 4}, true);
    Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte"), new byte[28 * 28], 1, 28, 28, false);
    Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {5}, false);
    assertEquals(2, Datasets.open("fashion-mnist:" + dir, 28, 1).size());
    ImageDataset test = Datasets.open("fashion-mnist-test:" + dir, 28, 1);
    assertEquals(1, test.size());
    assertEquals(5, test.label(0));
  }

  @Test
  void aPathOpensAnImageFolder() throws IOException {
    ImageFolderTest.png(ImageFolderTest.grey(6, 6, 50), dir.resolve("x/a.png"));
    ImageDataset ds = Datasets.open(dir.toString(), 6, 3);
    assertInstanceOf(ImageFolder.class, ds);
    assertEquals(1, ds.size());
    assertEquals(3, ds.channels());
  }

  @Test
  void unknownSpecListsTheAcceptedForms() {
    DataException e =
        assertThrows(DataException.class, () -> Datasets.open("cifar-10", 32, 3));
    assertTrue(e.getMessage().contains("unknown dataset 'cifar-10'"), e.getMessage());
    for (String form :
        new String[] {"fashion-mnist-subset", "fashion-mnist[:DIR]", "fashion-mnist-test", "mnist[:DIR]",
            "cifar10-test[:DIR]", "emoji[:DIR]", "random-crop:DIR", "folder"}) {
      assertTrue(e.getMessage().contains(form), e.getMessage());
    }
  }

  @Test
  void aFileIsNotAFolder() throws IOException {
    Path f = Files.writeString(dir.resolve("file.txt"), "x");
    DataException e = assertThrows(DataException.class, () -> Datasets.open(f.toString(), 8, 1));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
  }

  @Test
  void badShapeArguments() {
    assertThrows(DataException.class, () -> Datasets.open(null, 28, 2));
    assertThrows(DataException.class, () -> Datasets.open(null, 0, 1));
    DataException e = assertThrows(DataException.class, () -> Datasets.open(null, 100_000, 1)); // 1e10 bytes an image
    assertTrue(e.getMessage().contains("image size must be between 1 and 1024, got 100000"), e.getMessage());
    assertThrows(DataException.class, () -> Datasets.open("fashion-mnist:", 28, 1));
  }

  @Test
  void resizedDatasetIsIdentityWhenShapesMatch() {
    FashionMnist fm = FashionMnist.embedded();
    assertSame(fm, ResizedDataset.of(fm, 28, 1));
  }

  @Test
  void rgbToGreyUsesLuma() throws IOException {
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        img.setRGB(x, y, 0x00FF00);
      }
    }
    ImageFolderTest.png(img, dir.resolve("g.png"));
    ImageDataset rgb = ImageFolder.load(dir, 4, 3);
    ImageDataset grey = ResizedDataset.of(rgb, 2, 1);
    float[] v = new float[4];
    grey.read(0, v, 0);
    for (float f : v) {
      assertEquals(0.587f, f, 1e-5);
    }
  }
}
