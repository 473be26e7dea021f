package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared store of the byte-backed sets: shape, labels, classes and the byte-to-float conversion. */
class ByteImageDatasetTest {
  /** The smallest concrete set: what the loaders add is a loader and a description. */
  private static final class Plain extends ByteImageDataset {
    Plain(byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
      super(pixels, labels, channels, height, width, classNames);
    }

    @Override
    public String describe() {
      return "plain (" + sizeAndShape() + ")";
    }
  }

  @Test
  void everyByteReadsAsItsValueOver255InStoredOrder() {
    byte[] pixels = new byte[256 * 3]; // 256 images of 3x1x1: image i holds i, 255 - i, i
    for (int i = 0; i < 256; i++) {
      pixels[3 * i] = (byte) i;
      pixels[3 * i + 1] = (byte) (255 - i);
      pixels[3 * i + 2] = (byte) i;
    }
    Plain d = new Plain(pixels, new int[256], 3, 1, 1, List.of("only"));
    float[] dst = new float[5];
    for (int i = 0; i < 256; i++) {
      d.read(i, dst, 1);
      assertArrayEquals(new float[] {0, i / 255f, (255 - i) / 255f, i / 255f, 0}, dst, 0f, "image " + i);
    }
  }

  @Test
  void accessorsAnswerFromTheStore() {
    Plain d = new Plain(new byte[2 * 2 * 3 * 4], new int[] {1, 0}, 2, 3, 4, List.of("a", "b"));
    assertEquals(2, d.size());
    assertEquals(2, d.channels());
    assertEquals(3, d.height());
    assertEquals(4, d.width());
    assertEquals(24, d.imageSize());
    assertEquals(1, d.label(0));
    assertEquals(0, d.label(1));
    assertEquals(2, d.numClasses());
    assertEquals(List.of("a", "b"), d.classNames());
    assertEquals("plain (2 x 2x3x4)", d.describe());
    assertEquals(d.describe(), d.toString());
  }

  @Test
  void unlabelledSetsHaveNoClassesAndLabelMinusOne() {
    Plain d = new Plain(new byte[4], new int[] {-1}, 1, 2, 2, List.of());
    assertEquals(-1, d.label(0));
    assertEquals(0, d.numClasses());
    assertEquals(List.of(), d.classNames());
  }

  @Test
  void indicesOutsideTheSetAreRefused() {
    Plain d = new Plain(new byte[8], new int[] {0, 0}, 1, 2, 2, List.of("x"));
    float[] dst = new float[4];
    for (int bad : new int[] {-1, 2}) {
      assertThrows(IndexOutOfBoundsException.class, () -> d.read(bad, dst, 0));
      assertThrows(IndexOutOfBoundsException.class, () -> d.label(bad));
    }
  }

  @Test
  void pixelCountMustMatchTheImagesAndShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Plain(new byte[7], new int[] {0, 0}, 1, 2, 2, List.of("x")));
    assertEquals("7 pixel bytes do not hold 2 images of 1x2x2", e.getMessage());
  }

  @Test
  void labelBytesAreUnsigned() {
    assertArrayEquals(new int[] {0, 9, 127, 128, 255}, ByteImageDataset.unsignedLabels(new byte[] {0, 9, 127, -128, -1}));
  }
}
