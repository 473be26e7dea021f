package io.jdiffusion.eval.features;

/**
 * Maps images to feature vectors (and optionally class logits) for FID, KID, precision/recall and
 * the Inception Score. Every metric printed names its extractor: "FID(fashion-classifier)".
 */
public interface FeatureExtractor extends AutoCloseable {
  /** Short name printed with every metric, e.g. "fashion-classifier" or "inception-v3". */
  String name();

  /** Feature dimension. */
  int dim();

  /** Whether {@link #extract} returns logits, i.e. whether an Inception Score can be computed. */
  boolean hasLogits();

  /**
   * Identity of the extractor's weights and preprocessing (name plus a content hash), part of the
   * key under which reference features are cached.
   */
  String fingerprint();

  /** Why images of this shape cannot be used, or null when they can. */
  String checkShape(int channels, int height, int width);

  /**
   * Features of one batch.
   *
   * @param images n images [n, c, h, w] flattened, values in [0, 1]
   */
  Features extract(float[] images, int n, int channels, int height, int width);

  /** Releases native memory held by the extractor. */
  @Override
  void close();
}
