package io.jdiffusion.eval;

/**
 * First and second moments of a feature set: the mean mu and the unbiased covariance
 * Sigma = (X - mu)^T (X - mu) / (n - 1), as numpy's {@code np.cov(X, rowvar=False)} that
 * pytorch-fid uses.
 *
 * @param mean mu, [d]
 * @param covariance Sigma, [d][d], symmetric
 * @param count n, the number of feature vectors
 */
public record Moments(double[] mean, double[][] covariance, int count) {

  public Moments {
    int d = mean.length;
    if (covariance.length != d) {
      throw new IllegalArgumentException("mean has " + d + " entries, covariance " + covariance.length + " rows");
    }
  }

  /** Feature dimension d. */
  public int dim() {
    return mean.length;
  }

  /**
   * Mean and unbiased covariance of the rows of {@code x} ([n][d], n >= 2), accumulated in double
   * after centring (two passes), so no catastrophic cancellation.
   */
  public static Moments of(double[][] x) {
    int n = x.length;
    if (n < 2) {
      throw new IllegalArgumentException("a covariance needs at least 2 feature vectors, got " + n);
    }
    int d = x[0].length;
    double[] mu = new double[d];
    for (double[] row : x) {
      if (row.length != d) {
        throw new IllegalArgumentException("feature vectors differ in length: " + d + " and " + row.length);
      }
      for (int j = 0; j < d; j++) {
        mu[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mu[j] /= n;
    }
    double[][] cov = new double[d][d];
    double[] c = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        c[j] = row[j] - mu[j];
      }
      for (int i = 0; i < d; i++) { // lower triangle only
        double ci = c[i];
        double[] out = cov[i];
        for (int j = 0; j <= i; j++) {
          out[j] += ci * c[j];
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double v = cov[i][j] / (n - 1);
        cov[i][j] = v;
        cov[j][i] = v;
      }
    }
    return new Moments(mu, cov, n);
  }
}
