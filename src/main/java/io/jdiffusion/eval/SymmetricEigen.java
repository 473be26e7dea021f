package io.jdiffusion.eval;

/**
 * Eigendecomposition A = V diag(lambda) V^T of a real symmetric matrix, by Householder reduction to
 * tridiagonal form followed by the implicit QL algorithm with Wilkinson-style shifts (Bowdler,
 * Martin, Reinsch &amp; Wilkinson 1968, "The QR and QL algorithms for symmetric matrices"; EISPACK's
 * tred2 and tql2). Backward stable: the computed eigenvalues are those of A + E with ||E|| of order
 * machine epsilon times ||A||, which is what a matrix square root of a covariance needs.
 *
 * <p>Cost: about 4/3 n^3 flops for the reduction (plus 2/3 n^3 to accumulate it), about 3 n^3 for
 * the QL sweeps' eigenvector updates, which {@link #values} skips.
 */
public final class SymmetricEigen {
  /** Eigenvalues, ascending. */
  private final double[] values;
  /** vectors[i] is the unit eigenvector of values[i] (the rows of V^T); null when not computed. */
  private final double[][] vectors;

  private SymmetricEigen(double[] values, double[][] vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  /** Eigenvalues and eigenvectors of the symmetric {@code a} (only its lower triangle is read). */
  public static SymmetricEigen of(double[][] a) {
    return decompose(a, true);
  }

  /** Eigenvalues only, ascending (cheaper: no eigenvector updates during the QL sweeps). */
  public static double[] values(double[][] a) {
    return decompose(a, false).values;
  }

  /** Eigenvalues, ascending. */
  public double[] eigenvalues() {
    return values.clone();
  }

  /** The unit eigenvector of eigenvalue {@code i} (a copy). */
  public double[] eigenvector(int i) {
    return vectors[i].clone();
  }

  /**
   * V diag(f(lambda)) V^T: the matrix function f(A) of the decomposed matrix, e.g. its square root
   * with f = sqrt(max(lambda, 0)).
   */
  public double[][] apply(java.util.function.DoubleUnaryOperator f) {
    int n = values.length;
    double[][] out = new double[n][n];
    for (int k = 0; k < n; k++) {
      double w = f.applyAsDouble(values[k]);
      if (w == 0) {
        continue;
      }
      double[] v = vectors[k];
      for (int i = 0; i < n; i++) {
        double wi = w * v[i];
        double[] row = out[i];
        for (int j = 0; j < n; j++) {
          row[j] += wi * v[j];
        }
      }
    }
    return out;
  }

  private static SymmetricEigen decompose(double[][] a, boolean wantVectors) {
    int n = a.length;
    for (double[] row : a) {
      if (row.length != n) {
        throw new IllegalArgumentException("matrix is not square: " + n + " rows, a row of " + row.length);
      }
    }
    if (n == 0) {
      return new SymmetricEigen(new double[0], new double[0][0]);
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        if (!Double.isFinite(a[i][j])) {
          throw new IllegalArgumentException("matrix has a non-finite entry at (" + i + ", " + j + ")");
        }
        v[i][j] = a[i][j];
        v[j][i] = a[i][j];
      }
    }
    double[] d = new double[n];
    double[] e = new double[n];
    tridiagonalize(v, d, e);
    // z = V^T: rotations in the QL sweeps then touch two contiguous rows
    double[][] z = null;
    if (wantVectors) {
      z = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          z[j][i] = v[i][j];
        }
      }
    }
    ql(d, e, z);
    // sort ascending, carrying the vectors along
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (p, q) -> Double.compare(d[p], d[q]));
    double[] values = new double[n];
    double[][] vectors = wantVectors ? new double[n][] : null;
    for (int i = 0; i < n; i++) {
      values[i] = d[order[i]];
      if (wantVectors) {
        vectors[i] = z[order[i]];
      }
    }
    return new SymmetricEigen(values, vectors);
  }

  /**
   * Householder reduction of the symmetric matrix in {@code v} to tridiagonal form T = Q^T A Q:
   * on return d holds T's diagonal, e[1..n-1] its subdiagonal (e[0] = 0), and v holds Q.
   */
  private static void tridiagonalize(double[][] v, double[] d, double[] e) {
    int n = d.length;
    System.arraycopy(v[n - 1], 0, d, 0, n);
    for (int i = n - 1; i > 0; i--) {
      // Householder vector that annihilates row i left of its subdiagonal
      double scale = 0;
      double h = 0;
      for (int k = 0; k < i; k++) {
        scale += Math.abs(d[k]);
      }
      if (scale == 0) {
        e[i] = d[i - 1];
        for (int j = 0; j < i; j++) {
          d[j] = v[i - 1][j];
          v[i][j] = 0;
          v[j][i] = 0;
        }
      } else {
        for (int k = 0; k < i; k++) {
          d[k] /= scale;
          h += d[k] * d[k];
        }
        double f = d[i - 1];
        double g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        d[i - 1] = f - g;
        for (int j = 0; j < i; j++) {
          e[j] = 0;
        }
        // p = A u / h, kept in e
        for (int j = 0; j < i; j++) {
          f = d[j];
          v[j][i] = f;
          g = e[j] + v[j][j] * f;
          for (int k = j + 1; k < i; k++) {
            g += v[k][j] * d[k];
            e[k] += v[k][j] * f;
          }
          e[j] = g;
        }
        // q = p - (u.p / 2h) u, then A <- A - u q^T - q u^T
        f = 0;
        for (int j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * d[j];
        }
        double hh = f / (h + h);
        for (int j = 0; j < i; j++) {
          e[j] -= hh * d[j];
        }
        for (int j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          for (int k = j; k < i; k++) {
            v[k][j] -= f * e[k] + g * d[k];
          }
          d[j] = v[i - 1][j];
          v[i][j] = 0;
        }
      }
      d[i] = h;
    }
    // accumulate the reflections into Q
    for (int i = 0; i < n - 1; i++) {
      v[n - 1][i] = v[i][i];
      v[i][i] = 1;
      double h = d[i + 1];
      if (h != 0) {
        for (int k = 0; k <= i; k++) {
          d[k] = v[k][i + 1] / h;
        }
        for (int j = 0; j <= i; j++) {
          double g = 0;
          for (int k = 0; k <= i; k++) {
            g += v[k][i + 1] * v[k][j];
          }
          for (int k = 0; k <= i; k++) {
            v[k][j] -= g * d[k];
          }
        }
      }
      for (int k = 0; k <= i; k++) {
        v[k][i + 1] = 0;
      }
    }
    for (int j = 0; j < n; j++) {
      d[j] = v[n - 1][j];
      v[n - 1][j] = 0;
    }
    v[n - 1][n - 1] = 1;
    e[0] = 0;
  }

  /**
   * Implicit QL iterations on the tridiagonal (d, e) until every off-diagonal is negligible; d ends
   * as the eigenvalues. When {@code z} is not null its rows (Q^T) are rotated along, ending as the
   * eigenvectors.
   */
  private static void ql(double[] d, double[] e, double[][] z) {
    int n = d.length;
    for (int i = 1; i < n; i++) {
      e[i - 1] = e[i];
    }
    e[n - 1] = 0;
    double shiftSum = 0;
    double tst1 = 0;
    double eps = Math.ulp(1.0);
    for (int l = 0; l < n; l++) {
      tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
      int m = l;
      while (m < n - 1 && Math.abs(e[m]) > eps * tst1) {
        m++;
      }
      if (m > l) {
        int iterations = 0;
        do {
          if (++iterations > 60) {
            throw new ArithmeticException("QL iteration did not converge for eigenvalue " + l);
          }
          // shift from the leading 2x2 block
          double g = d[l];
          double p = (d[l + 1] - g) / (2 * e[l]);
          double r = Math.hypot(p, 1);
          if (p < 0) {
            r = -r;
          }
          d[l] = e[l] / (p + r);
          d[l + 1] = e[l] * (p + r);
          double dl1 = d[l + 1];
          double h = g - d[l];
          for (int i = l + 2; i < n; i++) {
            d[i] -= h;
          }
          shiftSum += h;
          // chase the bulge with plane rotations from m up to l
          p = d[m];
          double c = 1;
          double c2 = c;
          double c3 = c;
          double el1 = e[l + 1];
          double s = 0;
          double s2 = 0;
          for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            h = c * p;
            r = Math.hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
            if (z != null) {
              double[] zi = z[i];
              double[] zi1 = z[i + 1];
              for (int k = 0; k < n; k++) {
                double t = zi1[k];
                zi1[k] = s * zi[k] + c * t;
                zi[k] = c * zi[k] - s * t;
              }
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1;
          e[l] = s * p;
          d[l] = c * p;
        } while (Math.abs(e[l]) > eps * tst1);
      }
      d[l] += shiftSum;
      e[l] = 0;
    }
  }
}
