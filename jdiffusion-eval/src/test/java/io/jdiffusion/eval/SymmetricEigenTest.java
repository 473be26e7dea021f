package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
  @Test
  void recoversAKnownSpectrumWithOrthonormalEigenvectors() {
    for (int n : new int[] {1, 2, 3, 7, 40}) {
      SplittableRandom r = new SplittableRandom(n);
      double[] l = new double[n];
      for (int i = 0; i < n; i++) {
        l[i] = r.nextDouble(-5, 5);
      }
      if (n >= 3) { // a repeated eigenvalue and an exact zero
        l[1] = l[0];
        l[2] = 0;
      }
      double[][] a = Matrices.fromSpectrum(Matrices.orthogonal(n, 100 + n), l);
      SymmetricEigen e = SymmetricEigen.of(a);
      double[] expected = l.clone();
      Arrays.sort(expected);
      assertArrayEquals(expected, e.eigenvalues(), 1e-12 * n * 5, "n = " + n);
      assertArrayEquals(expected, SymmetricEigen.values(a), 1e-12 * n * 5, "values only, n = " + n);
      for (int k = 0; k < n; k++) {
        double[] v = e.eigenvector(k);
        for (int i = 0; i < n; i++) { // A v = lambda v
          double av = 0;
          for (int j = 0; j < n; j++) {
            av += a[i][j] * v[j];
          }
          assertEquals(expected[k] * v[i], av, 1e-11, "A v = lambda v, n = " + n);
        }
        for (int p = 0; p < n; p++) {
          assertEquals(p == k ? 1 : 0, Rows.dot(v, e.eigenvector(p)), 1e-12, "orthonormal, n = " + n);
        }
      }
    }
  }

  @Test
  void squareRootSquaresBackToTheMatrix() {
    double[][] a = Matrices.fromSpectrum(Matrices.orthogonal(12, 5), new double[] {0, 1e-9, 0.5, 1, 2, 3, 4, 9, 16, 25, 100, 1e4});
    double[][] root = SymmetricEigen.of(a).apply(l -> Math.sqrt(Math.max(l, 0)));
    double[][] back = Fid.multiply(root, root);
    for (int i = 0; i < a.length; i++) {
      assertArrayEquals(a[i], back[i], 1e-9);
    }
  }

  @Test
  void handlesDiagonalZeroAndTridiagonalMatrices() {
    assertArrayEquals(new double[] {-2, 0, 3}, SymmetricEigen.values(Matrices.diag(3, -2, 0)), 1e-15);
    assertArrayEquals(new double[] {0, 0, 0, 0}, SymmetricEigen.values(new double[4][4]), 0);
    // the path graph's Laplacian-like matrix [2 -1; -1 2 -1; ...]: eigenvalues 2 - 2 cos(k pi / (n + 1))
    int n = 9;
    double[][] t = new double[n][n];
    for (int i = 0; i < n; i++) {
      t[i][i] = 2;
      if (i > 0) {
        t[i][i - 1] = -1;
        t[i - 1][i] = -1;
      }
    }
    double[] expected = new double[n];
    for (int k = 1; k <= n; k++) {
      expected[k - 1] = 2 - 2 * Math.cos(k * Math.PI / (n + 1));
    }
    Arrays.sort(expected);
    assertArrayEquals(expected, SymmetricEigen.values(t), 1e-14);
  }

  @Test
  void rejectsNonFiniteAndNonSquareInput() {
    assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 0}, {Double.NaN, 1}}));
    assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 0}, {0}}));
  }
}
