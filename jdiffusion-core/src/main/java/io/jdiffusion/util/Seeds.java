package io.jdiffusion.util;

/** Derives independent seeds from a base seed and indices (SplitMix64 finaliser). */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed seed for (base, a, b); different inputs give unrelated outputs. */
  public static long mix(long base, long a, long b) {
    return fmix(fmix(fmix(base) ^ a) + b);
  }

  private static long fmix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
