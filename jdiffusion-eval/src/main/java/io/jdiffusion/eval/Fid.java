package io.jdiffusion.eval;

/**
 * Fréchet distance between two Gaussians fitted to feature sets (FID, Heusel et al. 2017,
 * "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", eq. 6; the
 * Fréchet distance of Gaussians is Dowson &amp; Landau 1982):
 *
 * <pre>d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))</pre>
 *
 * <p>pytorch-fid computes (S1 S2)^(1/2) with {@code scipy.linalg.sqrtm} on the non-symmetric
 * product. Here the trace comes from a symmetric problem with the same answer: S1 S2 is similar to
 * M = S1^(1/2) S2 S1^(1/2) (conjugate by S1^(1/2)), so Tr (S1 S2)^(1/2) = Tr M^(1/2) = sum_i
 * sqrt(mu_i(M)), and M is symmetric positive semi-definite. Both square roots use {@link
 * SymmetricEigen}; eigenvalues at rounding level (below d ulp(1) max|lambda|, including those that
 * rounding pushed below zero) count as 0. No complex arithmetic and no failure on singular
 * covariances (fewer samples than dimensions).
 *
 * <p>pytorch-fid's fallback adds eps I (eps = 1e-6) to both covariances when sqrtm returns
 * non-finite values. The symmetric route cannot fail that way for valid covariances; the same
 * fallback is applied when M comes out non-finite or clearly indefinite (an eigenvalue below
 * -1e-8 max|mu(M)|), i.e. when the inputs were not positive semi-definite. {@link Result#offset}
 * tells whether it was used.
 */
public final class Fid {
  /** pytorch-fid's diagonal offset for the fallback. */
  public static final double EPS = 1e-6;

  private Fid() {}

  /**
   * @param value the Fréchet distance d^2
   * @param meanTerm ||mu1 - mu2||^2
   * @param traceTerm Tr(S1 + S2 - 2 (S1 S2)^(1/2))
   * @param offset the eps offset that was added to both diagonals (0 when none was needed)
   */
  public record Result(double value, double meanTerm, double traceTerm, double offset) {}

  /** FID between two feature sets ([n][d] each). */
  public static Result of(double[][] features1, double[][] features2) {
    return of(Moments.of(features1), Moments.of(features2));
  }

  /** FID between two fitted Gaussians. */
  public static Result of(Moments a, Moments b) {
    return of(a.mean(), a.covariance(), b.mean(), b.covariance());
  }

  /** FID between N(mu1, s1) and N(mu2, s2). */
  public static Result of(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
    int d = mu1.length;
    if (mu2.length != d || s1.length != d || s2.length != d) {
      throw new IllegalArgumentException("dimensions differ: mu1 " + d + ", mu2 " + mu2.length
          + ", S1 " + s1.length + ", S2 " + s2.length);
    }
    double meanTerm = 0;
    for (int i = 0; i < d; i++) {
      double diff = mu1[i] - mu2[i];
      meanTerm += diff * diff;
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      trace += s1[i][i] + s2[i][i];
    }
    double sqrtTrace = traceSqrtProduct(s1, s2, 0);
    double offset = 0;
    if (Double.isNaN(sqrtTrace)) {
      offset = EPS;
      sqrtTrace = traceSqrtProduct(s1, s2, offset); // pytorch-fid keeps the traces of the unshifted S1, S2
    }
    double traceTerm = trace - 2 * sqrtTrace;
    return new Result(meanTerm + traceTerm, meanTerm, traceTerm, offset);
  }

  /**
   * Tr (S1 S2)^(1/2) = sum_i sqrt(mu_i) over the eigenvalues of S1^(1/2) S2 S1^(1/2), after adding
   * {@code offset} to both diagonals; NaN when that matrix is non-finite or clearly indefinite.
   */
  static double traceSqrtProduct(double[][] s1, double[][] s2, double offset) {
    int d = s1.length;
    double[][] a = offset == 0 ? s1 : shifted(s1, offset);
    double[][] b = offset == 0 ? s2 : shifted(s2, offset);
    double[][] r;
    try {
      SymmetricEigen ea = SymmetricEigen.of(a);
      double cut = noiseFloor(ea.eigenvalues());
      r = ea.apply(l -> l <= cut ? 0 : Math.sqrt(l));
    } catch (IllegalArgumentException e) {
      return Double.NaN; // non-finite input
    }
    double[][] m = multiply(multiply(r, b), r);
    for (int i = 0; i < d; i++) { // symmetrise away rounding
      for (int j = 0; j < i; j++) {
        double v = 0.5 * (m[i][j] + m[j][i]);
        m[i][j] = v;
        m[j][i] = v;
      }
    }
    double[] mu;
    try {
      mu = SymmetricEigen.values(m);
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Double.NaN;
    }
    double max = 0;
    for (double v : mu) {
      max = Math.max(max, Math.abs(v));
    }
    double cut = noiseFloor(mu);
    double sum = 0;
    for (double v : mu) {
      if (v < -1e-8 * max) {
        return Double.NaN;
      }
      sum += v <= cut ? 0 : Math.sqrt(v);
    }
    return sum;
  }

  /**
   * d ulp(1) max|lambda|: eigenvalues below it are rounding noise of zero eigenvalues (the
   * rank cut-off numpy's pinv and matrix_rank use). Their square roots, of order sqrt(noise), would
   * otherwise add up to a visible bias for rank-deficient covariances; they are taken as 0.
   */
  private static double noiseFloor(double[] lambda) {
    double max = 0;
    for (double v : lambda) {
      max = Math.max(max, Math.abs(v));
    }
    return lambda.length * Math.ulp(1.0) * max;
  }

  private static double[][] shifted(double[][] s, double offset) {
    double[][] out = new double[s.length][];
    for (int i = 0; i < s.length; i++) {
      out[i] = s[i].clone();
      out[i][i] += offset;
    }
    return out;
  }

  /** a b for square matrices, i-k-j order so that the inner loop runs along rows. */
  static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length;
    double[][] c = new double[n][n];
    for (int i = 0; i < n; i++) {
      double[] ci = c[i];
      double[] ai = a[i];
      for (int k = 0; k < n; k++) {
        double aik = ai[k];
        if (aik == 0) {
          continue;
        }
        double[] bk = b[k];
        for (int j = 0; j < n; j++) {
          ci[j] += aik * bk[j];
        }
      }
    }
    return c;
  }
}
