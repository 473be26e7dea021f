package io.jdiffusion.eval;

/**
 * Inner loops over feature vectors, unrolled four ways so that the JIT keeps four independent
 * accumulators in flight (a plain reduction loop is latency-bound on one).
 */
final class Rows {
  private Rows() {}

  /** a . b */
  static double dot(double[] a, double[] b) {
    int n = a.length;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (; k + 3 < n; k += 4) {
      s0 += a[k] * b[k];
      s1 += a[k + 1] * b[k + 1];
      s2 += a[k + 2] * b[k + 2];
      s3 += a[k + 3] * b[k + 3];
    }
    for (; k < n; k++) {
      s0 += a[k] * b[k];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** ||a - b||^2, computed from the differences (exactly 0 for equal vectors). */
  static double squaredDistance(double[] a, double[] b) {
    int n = a.length;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (; k + 3 < n; k += 4) {
      double d0 = a[k] - b[k];
      double d1 = a[k + 1] - b[k + 1];
      double d2 = a[k + 2] - b[k + 2];
      double d3 = a[k + 3] - b[k + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; k < n; k++) {
      double d0 = a[k] - b[k];
      s0 += d0 * d0;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Checks that {@code x} is a non-empty [n][d] array with d >= 1, returning d. */
  static int dim(double[][] x, String what) {
    if (x.length == 0) {
      throw new IllegalArgumentException(what + " is empty");
    }
    int d = x[0].length;
    if (d == 0) {
      throw new IllegalArgumentException(what + " has zero-length feature vectors");
    }
    for (double[] row : x) {
      if (row.length != d) {
        throw new IllegalArgumentException(what + ": feature vectors differ in length (" + d + " and " + row.length + ")");
      }
    }
    return d;
  }
}
