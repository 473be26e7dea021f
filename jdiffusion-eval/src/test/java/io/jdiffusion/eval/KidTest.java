package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KidTest {
  @Test
  void estimatorMatchesItsDefinitionOnATinySet() {
    double[][] x = {{1, 0}, {0, 2}, {1, 1}};
    double[][] y = {{0, 0}, {2, 1}, {-1, 1}};
    int m = 3;
    double xx = 0;
    double yy = 0;
    double xy = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        double kxy = Math.pow((x[i][0] * y[j][0] + x[i][1] * y[j][1]) / 2 + 1, 3);
        xy += kxy;
        if (i != j) {
          xx += Math.pow((x[i][0] * x[j][0] + x[i][1] * x[j][1]) / 2 + 1, 3);
          yy += Math.pow((y[i][0] * y[j][0] + y[i][1] * y[j][1]) / 2 + 1, 3);
        }
      }
    }
    double expected = (xx + yy) / (m * (m - 1)) - 2 * xy / (m * m);
    assertEquals(expected, Kid.mmd2Unbiased(x, y), 1e-12);
  }

  /**
   * Population MMD^2 of N(0, I_d) and N(a, I_d) under k(x, y) = (x.y/d + 1)^3. With the kernel's
   * feature map, MMD^2 = ||dE[x (x) x (x) x]||^2 / d^3 + 3 ||dE[x (x) x]||^2 / d^2 + 3 ||dE[x]||^2 / d,
   * and the Gaussian moments give (|a|^6 + 6|a|^4 + (3d + 6)|a|^2) / d^3 + 3|a|^4 / d^2 + 3|a|^2 / d.
   */
  static double shiftedGaussianMmd2(double a2, int d) {
    return (a2 * a2 * a2 + 6 * a2 * a2 + (3.0 * d + 6) * a2) / Math.pow(d, 3) + 3 * a2 * a2 / (d * d) + 3 * a2 / d;
  }

  @Test
  void shiftedGaussiansMatchThePopulationMmd() {
    int d = 4;
    double[] zero = new double[d];
    double[] shift = {0.25, 0.25, 0.25, 0.25}; // |a|^2 = 0.25
    double[][] identity = Matrices.diag(1, 1, 1, 1);
    double[][] x = Matrices.gaussianSamples(4000, zero, identity, 11);
    double[][] y = Matrices.gaussianSamples(4000, shift, identity, 12);
    double exact = shiftedGaussianMmd2(0.25, d);
    Kid.Result r = Kid.of(x, y, 40, 1000, 0);
    assertEquals(exact, r.mean(), 0.05 * exact, "exact " + exact + ", std " + r.std());
    assertTrue(r.std() > 0 && r.std() < 0.3 * exact, "std " + r.std());
    assertEquals(40, r.subsets());
    assertEquals(1000, r.subsetSize());

    Kid.Result same = Kid.of(x, Matrices.gaussianSamples(4000, zero, identity, 13), 40, 1000, 0);
    assertTrue(Math.abs(same.mean()) < 0.05 * exact, "same distribution: " + same.mean());
    assertTrue(Math.abs(Kid.of(x, x, 10, 1000, 1).mean()) < 0.05 * exact, "identical sets");
  }

  @Test
  void deterministicForASeed() {
    SplittableRandom r = new SplittableRandom(1);
    double[][] x = new double[50][3];
    double[][] y = new double[60][3];
    for (double[] row : x) {
      for (int j = 0; j < 3; j++) {
        row[j] = r.nextDouble();
      }
    }
    for (double[] row : y) {
      for (int j = 0; j < 3; j++) {
        row[j] = r.nextDouble() + 0.5;
      }
    }
    assertEquals(Kid.of(x, y, 7, 20, 5), Kid.of(x, y, 7, 20, 5));
    assertTrue(Kid.of(x, y, 7, 20, 5).mean() > 0);
  }

  @Test
  void rejectsSubsetsLargerThanTheSets() {
    double[][] x = new double[10][2];
    assertThrows(IllegalArgumentException.class, () -> Kid.of(x, x, 10, 11, 0));
    assertThrows(IllegalArgumentException.class, () -> Kid.of(x, x, 0, 5, 0));
    assertThrows(IllegalArgumentException.class, () -> Kid.of(x, new double[10][3], 1, 5, 0));
  }
}
