package io.jdiffusion.eval;

import java.util.stream.IntStream;

/**
 * Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen &amp; Aila 2019, "Improved
 * Precision and Recall Metric for Assessing Generative Models", Sec. 2). Each set's manifold is
 * approximated by the union of balls around its vectors, the radius of a vector's ball being the
 * distance to its k-th nearest neighbour within the same set (itself excluded; k = 3 in the paper):
 *
 * <pre>f(phi, Phi) = 1 if ||phi - phi'|| <= NND_k(phi') for some phi' in Phi, else 0
 * precision = mean over generated phi_g of f(phi_g, Phi_real)
 * recall    = mean over real phi_r of f(phi_r, Phi_gen)</pre>
 *
 * Distances are Euclidean and computed exactly (O(n^2 d), rows in parallel); comparisons use squared
 * distances.
 */
public final class PrecisionRecall {
  public static final int DEFAULT_K = 3;

  private PrecisionRecall() {}

  /** Precision, recall and the k used. */
  public record Result(double precision, double recall, int k) {}

  /** Precision and recall of {@code generated} against {@code real} ([n][d] each, n > k). */
  public static Result of(double[][] real, double[][] generated, int k) {
    int d = Rows.dim(real, "real features");
    if (Rows.dim(generated, "generated features") != d) {
      throw new IllegalArgumentException("feature dimensions differ: " + d + " and " + generated[0].length);
    }
    if (k < 1 || k >= real.length || k >= generated.length) {
      throw new IllegalArgumentException("k must be in [1, min(n_real, n_gen) - 1], got " + k);
    }
    double[] realRadius = kthNeighbourSquared(real, k);
    double[] genRadius = kthNeighbourSquared(generated, k);
    boolean[] realCovered = new boolean[real.length];
    boolean[] genCovered = new boolean[generated.length];
    int blocks = (generated.length + 63) / 64;
    IntStream.range(0, blocks).parallel().forEach(b -> {
      boolean[] covered = new boolean[real.length];
      for (int g = b * 64; g < Math.min(generated.length, (b + 1) * 64); g++) {
        for (int r = 0; r < real.length; r++) {
          double dist = Rows.squaredDistance(generated[g], real[r]);
          if (dist <= realRadius[r]) {
            genCovered[g] = true;
          }
          if (dist <= genRadius[g]) {
            covered[r] = true;
          }
        }
      }
      synchronized (realCovered) {
        for (int r = 0; r < covered.length; r++) {
          realCovered[r] |= covered[r];
        }
      }
    });
    return new Result(fraction(genCovered), fraction(realCovered), k);
  }

  /** For each row, the squared distance to its k-th nearest other row. */
  static double[] kthNeighbourSquared(double[][] x, int k) {
    double[] out = new double[x.length];
    IntStream.range(0, x.length).parallel().forEach(i -> {
      double[] best = new double[k]; // the k smallest so far, ascending
      java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
      for (int j = 0; j < x.length; j++) {
        if (j == i) {
          continue;
        }
        double dist = Rows.squaredDistance(x[i], x[j]);
        if (dist < best[k - 1]) {
          int p = k - 1;
          while (p > 0 && best[p - 1] > dist) {
            best[p] = best[p - 1];
            p--;
          }
          best[p] = dist;
        }
      }
      out[i] = best[k - 1];
    });
    return out;
  }

  private static double fraction(boolean[] b) {
    int c = 0;
    for (boolean v : b) {
      if (v) {
        c++;
      }
    }
    return (double) c / b.length;
  }
}
