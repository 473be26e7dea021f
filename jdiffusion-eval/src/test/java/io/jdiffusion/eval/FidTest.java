package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FID against closed forms of the Fréchet distance between Gaussians. */
class FidTest {
  /** ||mu1 - mu2||^2 + sum (sqrt a_i - sqrt b_i)^2: the closed form when S1 and S2 commute. */
  static double commuting(double[] mu1, double[] a, double[] mu2, double[] b) {
    double v = 0;
    for (int i = 0; i < a.length; i++) {
      v += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
    }
    return v;
  }

  @Test
  void diagonalGaussians() {
    Fid.Result r = Fid.of(new double[] {0, 1, 2}, Matrices.diag(1, 4, 9), new double[] {1, 1, 0}, Matrices.diag(4, 1, 0.25));
    // (1 + 0 + 4) + (1 - 2)^2 + (2 - 1)^2 + (3 - 0.5)^2
    assertEquals(13.25, r.value(), 1e-12);
    assertEquals(5, r.meanTerm(), 1e-15);
    assertEquals(0, r.offset());
  }

  @Test
  void rotatedFullCovariancesThatCommute() {
    int d = 10;
    double[][] q = Matrices.orthogonal(d, 3);
    SplittableRandom rng = new SplittableRandom(4);
    double[] a = new double[d];
    double[] b = new double[d];
    double[] mu1 = new double[d];
    double[] mu2 = new double[d];
    for (int i = 0; i < d; i++) {
      a[i] = rng.nextDouble(0.1, 5);
      b[i] = rng.nextDouble(0.1, 5);
      mu1[i] = rng.nextDouble(-1, 1);
      mu2[i] = rng.nextDouble(-1, 1);
    }
    Fid.Result r = Fid.of(mu1, Matrices.fromSpectrum(q, a), mu2, Matrices.fromSpectrum(q, b));
    assertEquals(commuting(mu1, a, mu2, b), r.value(), 1e-10);
  }

  @Test
  void nonCommutingTwoByTwo() {
    // For 2x2 S1 S2 with eigenvalues l1, l2 >= 0: Tr (S1 S2)^(1/2) = sqrt(l1) + sqrt(l2)
    // = sqrt(Tr(S1 S2) + 2 sqrt(det S1 det S2)).
    double a1 = 2;
    double a2 = 0.5;
    double b1 = 3;
    double b2 = 0.2;
    double t = 0.7;
    double c = Math.cos(t);
    double s = Math.sin(t);
    double[][] s1 = Matrices.diag(a1, a2);
    double[][] s2 = {{b1 * c * c + b2 * s * s, (b1 - b2) * c * s}, {(b1 - b2) * c * s, b1 * s * s + b2 * c * c}};
    double trProduct = a1 * s2[0][0] + a2 * s2[1][1];
    double trSqrt = Math.sqrt(trProduct + 2 * Math.sqrt(a1 * a2 * b1 * b2));
    double expected = 1 * 1 + 2 * 2 + (a1 + a2) + (b1 + b2) - 2 * trSqrt;
    assertEquals(expected, Fid.of(new double[] {1, 0}, s1, new double[] {0, 2}, s2).value(), 1e-12);
  }

  @Test
  void covarianceAgainstItsInverse() {
    // S1 S2 = I, so Tr (S1 S2)^(1/2) = d and FID = sum (sqrt l - 1/sqrt l)^2 over S1's eigenvalues.
    int d = 20;
    double[][] q = Matrices.orthogonal(d, 8);
    double[] l = new double[d];
    double[] inv = new double[d];
    double expected = 0;
    for (int i = 0; i < d; i++) {
      l[i] = 0.2 + i * 0.3;
      inv[i] = 1 / l[i];
      expected += Math.pow(Math.sqrt(l[i]) - 1 / Math.sqrt(l[i]), 2);
    }
    double[] mu = new double[d];
    assertEquals(expected, Fid.of(mu, Matrices.fromSpectrum(q, l), mu, Matrices.fromSpectrum(q, inv)).value(), 1e-9);
  }

  @Test
  void samplesOfTwoGaussiansApproachTheClosedForm() {
    int d = 3;
    double[][] q = Matrices.orthogonal(d, 21);
    double[] a = {0.5, 1, 2};
    double[] b = {1.5, 0.3, 2.5};
    double[] mu1 = {0, 0, 0};
    double[] mu2 = {0.5, -0.5, 1};
    double[][] x = Matrices.gaussianSamples(40000, mu1, factor(q, a), 1);
    double[][] y = Matrices.gaussianSamples(40000, mu2, factor(q, b), 2);
    double exact = commuting(mu1, a, mu2, b);
    Fid.Result r = Fid.of(x, y);
    // the estimate's bias and spread are O(d / n) and O(1 / sqrt n): a few hundredths here
    assertEquals(exact, r.value(), 0.04, "exact " + exact);
    assertTrue(Math.abs(Fid.of(x, x).value()) < 1e-9, "FID of a set with itself");
  }

  @Test
  void singularCovariancesStayFinite() {
    // 5 samples in 16 dimensions: rank-4 covariances, which pytorch-fid's sqrtm often fails on
    SplittableRandom r = new SplittableRandom(9);
    double[][] x = new double[5][16];
    double[][] y = new double[5][16];
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 16; j++) {
        x[i][j] = r.nextDouble();
        y[i][j] = r.nextDouble() + 0.1;
      }
    }
    Fid.Result res = Fid.of(x, y);
    assertTrue(Double.isFinite(res.value()) && res.value() > 0, "FID " + res.value());
    assertEquals(0, res.offset());
    assertEquals(0, Fid.of(x, x).value(), 1e-12);
  }

  @Test
  void indefiniteInputTakesPytorchFidsOffsetFallback() {
    // S2 has an eigenvalue of -1e-7 (e.g. statistics rounded to float32): the symmetric square root
    // sees an indefinite product, adds eps = 1e-6 to both diagonals like pytorch-fid, and keeps the
    // traces of the unshifted matrices: Tr S1 + Tr S2 - 2 sqrt(1 + eps) sum_i sqrt(s2_i + eps).
    double eps = Fid.EPS;
    double[] s2 = {1, 4, -1e-7};
    Fid.Result r = Fid.of(new double[3], Matrices.diag(1, 1, 1), new double[3], Matrices.diag(s2));
    double expected = 3 + (5 - 1e-7)
        - 2 * Math.sqrt(1 + eps) * (Math.sqrt(1 + eps) + Math.sqrt(4 + eps) + Math.sqrt(-1e-7 + eps));
    assertEquals(eps, r.offset());
    assertEquals(expected, r.value(), 1e-12);
  }

  @Test
  void rejectsMismatchedDimensions() {
    assertThrows(IllegalArgumentException.class,
        () -> Fid.of(new double[2], Matrices.diag(1, 1), new double[3], Matrices.diag(1, 1, 1)));
    assertThrows(IllegalArgumentException.class, () -> Moments.of(new double[][] {{1, 2}}));
  }

  /** F with F F^T = Q^T diag(l) Q, for rows q_k of Q. */
  private static double[][] factor(double[][] q, double[] l) {
    int d = l.length;
    double[][] f = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        f[i][j] = q[j][i] * Math.sqrt(l[j]);
      }
    }
    return f;
  }
}
