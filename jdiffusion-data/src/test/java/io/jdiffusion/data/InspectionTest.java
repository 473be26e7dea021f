package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class InspectionTest {
  /** Three labelled RGB 2x2 images with known values, plus an unlabelled one. */
  private static ImageDataset tiny() {
    float[][] images = {
      {0, 0, 0, 0, 1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f},
      {1, 1, 1, 1, 1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f},
      {0, 1, 0, 1, 0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f},
      {0, 0, 0, 0, 0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f},
    };
    int[] labels = {1, 1, 0, -1};
    return new ImageDataset() {
      public int size() {
        return 4;
      }

      public int channels() {
        return 3;
      }

      public int height() {
        return 2;
      }

      public int width() {
        return 2;
      }

      public void read(int index, float[] dst, int offset) {
        System.arraycopy(images[index], 0, dst, offset, 12);
      }

      public int label(int index) {
        return labels[index];
      }

      public int numClasses() {
        return 3;
      }

      public List<String> classNames() {
        return List.of("zero", "one", "never");
      }

      public String describe() {
        return "tiny";
      }
    };
  }

  @Test
  void statisticsAreExact() {
    DatasetStats s = DatasetStats.of(tiny());
    assertEquals(4, s.images());
    assertEquals(List.of(1, 2, 0), s.classCountList());
    assertEquals(1, s.unlabelled());
    // red: 4 zeros, 4 ones, 0 1 0 1, 4 zeros -> mean 6/16, E[x^2] = 6/16
    assertEquals(6 / 16.0, s.mean()[0], 1e-12);
    assertEquals(Math.sqrt(6 / 16.0 - 36 / 256.0), s.std()[0], 1e-12);
    assertEquals(0.5, s.mean()[1], 1e-12);
    assertEquals(0.5, s.std()[1], 1e-12);
    assertEquals(0.5, s.mean()[2], 1e-12);
    assertEquals(0.0, s.std()[2], 1e-12);
  }

  @Test
  void tableListsShapeChannelsAndClasses() {
    List<String> t = Inspection.of(tiny()).table();
    String all = String.join("\n", t);
    assertEquals("dataset  tiny", t.get(0));
    assertTrue(all.contains("images   4 of 3x2x2"), all);
    assertTrue(all.contains("  R       0.3750  0.4841"), all);
    assertTrue(all.contains("  B       0.5000  0.0000"), all);
    assertTrue(all.contains("\n    1  one          2   50.0%\n"), all);
    assertTrue(all.contains("\n    2  never        0    0.0%\n"), all);
    assertTrue(all.endsWith("\n    -  (no label)        1"), all);
  }

  @Test
  void examplesHaveOneRowPerClassPaddedWithGrey() {
    Inspection ins = Inspection.of(tiny());
    assertEquals(6, ins.exampleCount(2));
    assertEquals(2, ins.gridColumns(2));
    float[] ex = ins.examples(2);
    assertEquals(6 * 12, ex.length);
    assertEquals(0f, ex[0], 0f, "row 0 = class zero: image 2");
    assertEquals(1f, ex[1], 0f);
    assertEquals(0.5f, ex[12], 0f, "class zero has one image: grey filler");
    assertEquals(0f, ex[24], 0f, "row 1 = class one: image 0 then image 1");
    assertEquals(1f, ex[36], 0f);
    assertEquals(0.5f, ex[48], 0f, "class never: grey");
    assertThrows(IllegalArgumentException.class, () -> ins.examples(0));
  }

  @Test
  void unlabelledSetsGiveASquareOfSpreadExamples() {
    ImageDataset ramp = Fixtures.ramp(100, 3);
    ImageDataset unlabelled = new Unlabelled(ramp);
    Inspection ins = Inspection.of(unlabelled);
    assertEquals(9, ins.exampleCount(3));
    assertEquals(3, ins.gridColumns(3));
    float[] ex = ins.examples(3);
    assertEquals(0f, ex[0], 0f);
    assertEquals((11 * 100) / 1e4f, ex[9], 0f, "second example is image 100/9 = 11");
    assertTrue(String.join("\n", ins.table()).contains("classes  none (unlabelled)"));
  }

  /** The ramp with its labels removed. */
  private record Unlabelled(ImageDataset in) implements ImageDataset {
    public int size() {
      return in.size();
    }

    public int channels() {
      return 1;
    }

    public int height() {
      return in.height();
    }

    public int width() {
      return in.width();
    }

    public void read(int index, float[] dst, int offset) {
      in.read(index, dst, offset);
    }

    public int label(int index) {
      return -1;
    }

    public int numClasses() {
      return 0;
    }

    public List<String> classNames() {
      return List.of();
    }

    public String describe() {
      return "unlabelled ramp";
    }
  }
}
