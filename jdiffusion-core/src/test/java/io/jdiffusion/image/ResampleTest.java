package io.jdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResampleTest {
  private static float[] resize(float[] src, int h, int w, int size) {
    Resample.Axis[] ax = Resample.centerCrop(h, w, size);
    float[] out = new float[size * size];
    Resample.plane(src, 0, ax[0], ax[1], out, 0);
    return out;
  }

  @Test
  void sameSizeIsIdentity() {
    float[] src = new float[7 * 7];
    Random r = new Random(1);
    for (int i = 0; i < src.length; i++) {
      src[i] = r.nextFloat();
    }
    assertArrayEquals(src, resize(src, 7, 7, 7), 1e-6f);
  }

  @Test
  void constantStaysConstantAtAnyScale() {
    float[] src = new float[13 * 29];
    java.util.Arrays.fill(src, 0.25f);
    for (int size : new int[] {1, 4, 13, 28, 64}) {
      for (float v : resize(src, 13, 29, size)) {
        assertEquals(0.25f, v, 1e-6f);
      }
    }
  }

  @Test
  void upsamplingIsBilinearWithHalfPixelCentres() {
    // 1x2 line [0, 1] to 4 samples: centres at 0.25, 0.75, 1.25, 1.75 source pixels
    Resample.Axis ax = Resample.axis(2, 0, 2, 4);
    float[] out = new float[4];
    ax.apply(new float[] {0f, 1f}, 0, 1, out, 0, 1);
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out, 1e-6f);
  }

  @Test
  void halvingAveragesNeighbours() {
    Resample.Axis ax = Resample.axis(4, 0, 4, 2);
    float[] out = new float[2];
    ax.apply(new float[] {0f, 1f, 0f, 1f}, 0, 1, out, 0, 1);
    // tent widened to radius 2, centred at 1.0 and 3.0; edge taps dropped and renormalised:
    // out[0] = (0.75*0 + 0.75*1 + 0.25*0) / 1.75, out[1] = (0.25*1 + 0.75*0 + 0.75*1) / 1.75
    assertArrayEquals(new float[] {3f / 7f, 4f / 7f}, out, 1e-6f);
  }

  @Test
  void stridedApplyReadsColumns() {
    // 3x2 plane, resample the second column (stride 2) to 3 samples: identity
    float[] plane = {0, 1, 0, 2, 0, 3};
    float[] out = new float[3];
    Resample.axis(3, 0, 3, 3).apply(plane, 1, 2, out, 0, 1);
    assertArrayEquals(new float[] {1, 2, 3}, out, 0f);
  }
}
