package io.jdiffusion.data;

/** Stored 8-bit pixels to floats in [0, 1] (v / 255) through one shared lookup table. */
final class Pixels {
  private static final float[] UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      UNIT[i] = i / 255f;
    }
  }

  private Pixels() {}

  /** Copies image {@code index} of {@code n} bytes from {@code pixels} into {@code dst[offset ..]} as floats. */
  static void read(byte[] pixels, int index, int n, float[] dst, int offset) {
    int base = index * n;
    for (int i = 0; i < n; i++) {
      dst[offset + i] = UNIT[pixels[base + i] & 0xFF];
    }
  }
}
