package io.jdiffusion.eval;

/**
 * Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", Sec. 4):
 *
 * <pre>IS = exp( E_x KL( p(y|x) || p(y) ) ),   p(y) = E_x p(y|x)</pre>
 *
 * computed, as in the authors' code, on {@code splits} consecutive equal parts of the set (part i
 * is rows [i n / splits, (i+1) n / splits)), each with its own marginal p(y); the result is the
 * mean and population standard deviation of the per-part scores. It ranges from 1 (every
 * prediction equal to the marginal) to C (confident predictions spread evenly over C classes).
 * KL terms use log-probabilities, with 0 log 0 = 0.
 */
public final class InceptionScore {
  public static final int DEFAULT_SPLITS = 10;

  private InceptionScore() {}

  /** Mean and population standard deviation of the per-split scores. */
  public record Result(double mean, double std, int splits) {}

  /** IS from class probabilities p(y|x) ([n][C], rows summing to 1). */
  public static Result ofProbabilities(double[][] probs, int splits) {
    int c = Rows.dim(probs, "class probabilities");
    double[][] logp = new double[probs.length][c];
    for (int i = 0; i < probs.length; i++) {
      double sum = 0;
      for (int k = 0; k < c; k++) {
        double p = probs[i][k];
        if (!(p >= 0)) {
          throw new IllegalArgumentException("probability " + p + " at row " + i + " is negative or NaN");
        }
        sum += p;
        logp[i][k] = Math.log(p);
      }
      if (Math.abs(sum - 1) > 1e-3) {
        throw new IllegalArgumentException("probabilities of row " + i + " sum to " + sum + ", not 1");
      }
    }
    return ofLogProbabilities(logp, splits);
  }

  /** IS from logits ([n][C]): p(y|x) = softmax(logits), computed as a stable log-softmax. */
  public static Result ofLogits(double[][] logits, int splits) {
    int c = Rows.dim(logits, "logits");
    double[][] logp = new double[logits.length][c];
    for (int i = 0; i < logits.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : logits[i]) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : logits[i]) {
        sum += Math.exp(v - max);
      }
      double lse = max + Math.log(sum);
      for (int k = 0; k < c; k++) {
        logp[i][k] = logits[i][k] - lse;
      }
    }
    return ofLogProbabilities(logp, splits);
  }

  private static Result ofLogProbabilities(double[][] logp, int splits) {
    int n = logp.length;
    int c = logp[0].length;
    if (splits < 1 || splits > n) {
      throw new IllegalArgumentException("IS splits must be in [1, n] = [1, " + n + "], got " + splits);
    }
    double[] scores = new double[splits];
    for (int s = 0; s < splits; s++) {
      int from = (int) ((long) s * n / splits);
      int to = (int) ((long) (s + 1) * n / splits);
      double[] py = new double[c];
      for (int i = from; i < to; i++) {
        for (int k = 0; k < c; k++) {
          py[k] += Math.exp(logp[i][k]);
        }
      }
      double[] logPy = new double[c];
      for (int k = 0; k < c; k++) {
        logPy[k] = Math.log(py[k] / (to - from));
      }
      double kl = 0;
      for (int i = from; i < to; i++) {
        for (int k = 0; k < c; k++) {
          double p = Math.exp(logp[i][k]);
          if (p > 0) {
            kl += p * (logp[i][k] - logPy[k]);
          }
        }
      }
      scores[s] = Math.exp(kl / (to - from));
    }
    double mean = 0;
    for (double v : scores) {
      mean += v;
    }
    mean /= splits;
    double var = 0;
    for (double v : scores) {
      var += (v - mean) * (v - mean);
    }
    return new Result(mean, Math.sqrt(var / splits), splits);
  }
}
