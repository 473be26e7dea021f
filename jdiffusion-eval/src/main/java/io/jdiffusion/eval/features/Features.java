package io.jdiffusion.eval.features;

/**
 * What a {@link FeatureExtractor} returns for a set of images.
 *
 * @param features [n][dim] embedding (classifier penultimate layer, Inception pool3)
 * @param logits [n][classes] class logits for the Inception Score, or null when the extractor has none
 */
public record Features(double[][] features, double[][] logits) {
  public int count() {
    return features.length;
  }
}
