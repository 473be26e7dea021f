package io.jdiffusion;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import java.util.List;

/** Shared test set-up: libtorch started with 2 threads, and a micro U-Net that runs in milliseconds. */
public final class TestTorch {
  private TestTorch() {}

  public static void init() {
    Torch.init(2);
  }

  /** 1x8x8, base 8, two levels, attention at 4x4: about 30 k parameters. */
  public static UNetConfig micro(int numClasses) {
    return new UNetConfig(1, 8, 8, List.of(1, 2), 1, List.of(4), 2, 0.0, 4, numClasses);
  }

  /** Largest absolute difference between two arrays. */
  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
