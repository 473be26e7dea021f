package io.jdiffusion.eval;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Kernel Inception Distance (Bińkowski, Sutherland, Arbel &amp; Gretton 2018, "Demystifying MMD
 * GANs", Sec. 4): the unbiased estimate of the squared maximum mean discrepancy with the cubic
 * polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets.
 *
 * <p>For subsets X, Y of m vectors each (the estimator of their reference code and of
 * torch-fidelity's {@code kid_subsets}, {@code kid_subset_size}):
 *
 * <pre>MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m-1)) + sum_{i != j} k(y_i, y_j) / (m (m-1))
 *           - 2 sum_{i, j} k(x_i, y_j) / m^2</pre>
 *
 * Each of {@code subsets} rounds draws m vectors without replacement from each set; the result is
 * the mean and the (population, numpy-style) standard deviation of the per-round values. Defaults
 * follow torch-fidelity: 100 subsets of 1000. The estimate is unbiased, so it can be slightly
 * negative when the sets come from the same distribution.
 */
public final class Kid {
  public static final int DEFAULT_SUBSETS = 100;
  public static final int DEFAULT_SUBSET_SIZE = 1000;

  private Kid() {}

  /**
   * @param mean mean of MMD^2_u over the subsets
   * @param std its population standard deviation over the subsets
   * @param subsets number of subsets
   * @param subsetSize m
   */
  public record Result(double mean, double std, int subsets, int subsetSize) {}

  /**
   * KID of two feature sets ([n1][d], [n2][d]).
   *
   * @param subsetSize m; must not exceed either set's size
   * @param seed seed of the subset draws
   */
  public static Result of(double[][] x, double[][] y, int subsets, int subsetSize, long seed) {
    int d = Rows.dim(x, "first feature set");
    if (Rows.dim(y, "second feature set") != d) {
      throw new IllegalArgumentException("feature dimensions differ: " + d + " and " + y[0].length);
    }
    if (subsets < 1) {
      throw new IllegalArgumentException("KID needs >= 1 subset, got " + subsets);
    }
    if (subsetSize < 2 || subsetSize > x.length || subsetSize > y.length) {
      throw new IllegalArgumentException("KID subset size must be in [2, min(n1, n2)] = [2, "
          + Math.min(x.length, y.length) + "], got " + subsetSize);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int[][] ix = new int[subsets][];
    int[][] iy = new int[subsets][];
    for (int s = 0; s < subsets; s++) { // drawn up front, so the parallel rounds stay deterministic
      ix[s] = sample(x.length, subsetSize, rng);
      iy[s] = sample(y.length, subsetSize, rng);
    }
    double[] mmd = IntStream.range(0, subsets).parallel()
        .mapToDouble(s -> mmd2Unbiased(gather(x, ix[s]), gather(y, iy[s])))
        .toArray();
    double mean = 0;
    for (double v : mmd) {
      mean += v;
    }
    mean /= subsets;
    double var = 0;
    for (double v : mmd) {
      var += (v - mean) * (v - mean);
    }
    return new Result(mean, Math.sqrt(var / subsets), subsets, subsetSize);
  }

  /** The unbiased MMD^2 estimate between two sets of equal size m with the cubic kernel. */
  public static double mmd2Unbiased(double[][] x, double[][] y) {
    int m = x.length;
    if (y.length != m || m < 2) {
      throw new IllegalArgumentException("both sets need the same size m >= 2, got " + m + " and " + y.length);
    }
    int d = x[0].length;
    double kxx = 0;
    double kyy = 0;
    double kxy = 0;
    for (int i = 0; i < m; i++) {
      for (int j = i + 1; j < m; j++) {
        kxx += kernel(x[i], x[j], d);
        kyy += kernel(y[i], y[j], d);
      }
      for (int j = 0; j < m; j++) {
        kxy += kernel(x[i], y[j], d);
      }
    }
    return 2 * (kxx + kyy) / ((double) m * (m - 1)) - 2 * kxy / ((double) m * m);
  }

  /** k(a, b) = (a.b / d + 1)^3. */
  public static double kernel(double[] a, double[] b, int d) {
    double t = Rows.dot(a, b) / d + 1;
    return t * t * t;
  }

  /** m distinct indices of [0, n), by a partial Fisher-Yates shuffle. */
  static int[] sample(int n, int m, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = 0; i < m; i++) {
      int j = i + rng.nextInt(n - i);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return java.util.Arrays.copyOf(p, m);
  }

  private static double[][] gather(double[][] x, int[] idx) {
    double[][] out = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      out[i] = x[idx[i]];
    }
    return out;
  }
}
