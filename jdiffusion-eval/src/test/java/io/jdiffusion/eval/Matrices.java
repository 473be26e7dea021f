package io.jdiffusion.eval;

import java.util.SplittableRandom;

/** Test helpers: random orthogonal matrices, Q diag(l) Q^T, Gaussian samples. */
final class Matrices {
  private Matrices() {}

  /** A random orthogonal n x n matrix: Gram-Schmidt on Gaussian columns (rows returned). */
  static double[][] orthogonal(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] q = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i][j] = gaussian(r);
      }
      for (int p = 0; p < i; p++) {
        double dot = 0;
        for (int j = 0; j < n; j++) {
          dot += q[i][j] * q[p][j];
        }
        for (int j = 0; j < n; j++) {
          q[i][j] -= dot * q[p][j];
        }
      }
      double norm = 0;
      for (int j = 0; j < n; j++) {
        norm += q[i][j] * q[i][j];
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < n; j++) {
        q[i][j] /= norm;
      }
    }
    return q;
  }

  /** sum_k l[k] q[k] q[k]^T: the symmetric matrix with eigenvalues l and eigenvectors the rows of q. */
  static double[][] fromSpectrum(double[][] q, double[] l) {
    int n = l.length;
    double[][] a = new double[n][n];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          a[i][j] += l[k] * q[k][i] * q[k][j];
        }
      }
    }
    return a;
  }

  static double[][] diag(double... l) {
    double[][] a = new double[l.length][l.length];
    for (int i = 0; i < l.length; i++) {
      a[i][i] = l[i];
    }
    return a;
  }

  static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** n samples of N(mu, L L^T), given the lower-triangular (or any) factor L. */
  static double[][] gaussianSamples(int n, double[] mu, double[][] factor, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int d = mu.length;
    double[][] x = new double[n][d];
    double[] z = new double[d];
    for (int s = 0; s < n; s++) {
      for (int j = 0; j < d; j++) {
        z[j] = gaussian(r);
      }
      for (int i = 0; i < d; i++) {
        double v = mu[i];
        for (int j = 0; j < d; j++) {
          v += factor[i][j] * z[j];
        }
        x[s][i] = v;
      }
    }
    return x;
  }
}
