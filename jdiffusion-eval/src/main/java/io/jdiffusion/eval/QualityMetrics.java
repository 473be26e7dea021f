package io.jdiffusion.eval;

/**
 * The four sample-quality metrics of one generated set against one reference set, in one feature
 * space: FID, KID, Inception Score (when class logits are available) and precision/recall.
 *
 * @param fid Fréchet distance ({@link Fid})
 * @param kid kernel distance ({@link Kid})
 * @param inceptionScore IS of the generated set ({@link InceptionScore}), or null without logits
 * @param precisionRecall k-NN precision and recall ({@link PrecisionRecall})
 */
public record QualityMetrics(Fid.Result fid, Kid.Result kid, InceptionScore.Result inceptionScore,
    PrecisionRecall.Result precisionRecall) {

  /**
   * Settings; the defaults are those of torch-fidelity (KID), Salimans et al. (IS) and
   * Kynkäänniemi et al. (k).
   *
   * @param kidSubsets KID subsets
   * @param kidSubsetSize KID subset size, reduced to the smaller set's size when larger
   * @param kidSeed seed of the KID subset draws
   * @param isSplits IS splits, reduced to n when larger
   * @param k neighbours for precision/recall
   */
  public record Options(int kidSubsets, int kidSubsetSize, long kidSeed, int isSplits, int k) {
    public static Options defaults() {
      return new Options(Kid.DEFAULT_SUBSETS, Kid.DEFAULT_SUBSET_SIZE, 0, InceptionScore.DEFAULT_SPLITS,
          PrecisionRecall.DEFAULT_K);
    }
  }

  /**
   * @param real reference features [n1][d]
   * @param generated generated features [n2][d]
   * @param generatedLogits class logits of the generated set [n2][C], or null (no IS)
   */
  public static QualityMetrics compute(double[][] real, double[][] generated, double[][] generatedLogits, Options o) {
    Fid.Result fid = Fid.of(real, generated);
    int m = Math.min(o.kidSubsetSize(), Math.min(real.length, generated.length));
    Kid.Result kid = Kid.of(real, generated, o.kidSubsets(), m, o.kidSeed());
    InceptionScore.Result is = generatedLogits == null ? null
        : InceptionScore.ofLogits(generatedLogits, Math.min(o.isSplits(), generatedLogits.length));
    PrecisionRecall.Result pr = PrecisionRecall.of(real, generated, o.k());
    return new QualityMetrics(fid, kid, is, pr);
  }
}
