package io.jdiffusion.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.DoubleUnaryOperator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Eigendecomposition A = V diag(lambda) V^T of a real symmetric matrix, by EJML's symmetric QR
 * algorithm (Householder tridiagonalisation, then implicit shifted QR sweeps; Golub &amp; Van Loan,
 * "Matrix Computations", 8.3). Backward stable: the computed eigenvalues are those of A + E with
 * ||E|| of order machine epsilon times ||A||, which is what a matrix square root of a covariance
 * needs. Only the lower triangle of A is read (it is mirrored before decomposing).
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

  /** Eigenvalues and eigenvectors of the symmetric {@code a}. */
  public static SymmetricEigen of(double[][] a) {
    return decompose(a, true);
  }

  /** Eigenvalues only, ascending (cheaper: the eigenvectors are not accumulated). */
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
  public double[][] apply(DoubleUnaryOperator f) {
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
        for (int j = 0; j < n; j++) {
          out[i][j] += wi * v[j];
        }
      }
    }
    return out;
  }

  private static SymmetricEigen decompose(double[][] a, boolean withVectors) {
    int n = a.length;
    DMatrixRMaj m = new DMatrixRMaj(n, n);
    for (int i = 0; i < n; i++) {
      if (a[i].length != n) {
        throw new IllegalArgumentException("not a square matrix: row " + i + " has " + a[i].length + " columns, not " + n);
      }
      for (int j = 0; j <= i; j++) {
        double v = a[i][j];
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("matrix entry (" + i + ", " + j + ") is " + v);
        }
        m.unsafe_set(i, j, v);
        m.unsafe_set(j, i, v);
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, withVectors, true);
    if (!eig.decompose(m)) {
      throw new ArithmeticException("the symmetric eigendecomposition did not converge (n = " + n + ")");
    }
    Integer[] order = new Integer[n];
    double[] raw = new double[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      raw[i] = eig.getEigenvalue(i).getReal();
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> raw[i]));
    double[] values = new double[n];
    double[][] vectors = withVectors ? new double[n][] : null;
    for (int k = 0; k < n; k++) {
      values[k] = raw[order[k]];
      if (withVectors) {
        vectors[k] = eig.getEigenVector(order[k]).getData().clone();
      }
    }
    return new SymmetricEigen(values, vectors);
  }
}
