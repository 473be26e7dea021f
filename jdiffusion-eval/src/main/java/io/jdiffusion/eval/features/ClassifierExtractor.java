package io.jdiffusion.eval.features;

import io.jdiffusion.nn.ClassifierConfig;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.TrainedClassifier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * A project-trained domain {@link io.jdiffusion.nn.Classifier} as feature extractor: the pooled
 * penultimate activations are the features, the head's logits feed the Inception Score. Images
 * must have the classifier's own shape; they are mapped from [0, 1] to [-1, 1] as in training.
 */
public final class ClassifierExtractor implements FeatureExtractor {
  private final TrainedClassifier classifier;
  private final String fingerprint;

  public ClassifierExtractor(TrainedClassifier classifier) {
    this.classifier = classifier;
    String hash = classifier.metadata().getOrDefault("sha256", "unhashed");
    this.fingerprint = classifier.name() + "@" + hash.substring(0, Math.min(16, hash.length()));
  }

  public TrainedClassifier classifier() {
    return classifier;
  }

  @Override
  public String name() {
    return classifier.name();
  }

  @Override
  public int dim() {
    return classifier.config().featureDim();
  }

  @Override
  public boolean hasLogits() {
    return true;
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String checkShape(int channels, int height, int width) {
    ClassifierConfig c = classifier.config();
    if (channels == c.inChannels() && height == c.imageSize() && width == c.imageSize()) {
      return null;
    }
    return name() + " takes " + c.inChannels() + "x" + c.imageSize() + "x" + c.imageSize() + " images, got "
        + channels + "x" + height + "x" + width;
  }

  @Override
  public Features extract(float[] images, int n, int channels, int height, int width) {
    String bad = checkShape(channels, height, width);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    float[] x = new float[n * channels * height * width];
    for (int i = 0; i < x.length; i++) {
      x[i] = images[i] * 2 - 1;
    }
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor f = classifier.net().features(Torch.tensor(x, n, channels, height, width), Forward.EVAL_FP32);
      Tensor logits = classifier.net().logits(f, Forward.EVAL_FP32);
      return new Features(rows(Torch.toFloats(f), n), rows(Torch.toFloats(logits), n));
    }
  }

  /** [n * d] floats to [n][d] doubles. */
  static double[][] rows(float[] v, int n) {
    int d = v.length / n;
    double[][] out = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        out[i][j] = v[i * d + j];
      }
    }
    return out;
  }

  @Override
  public void close() {
    // the classifier's parameters live as long as the classifier object
  }
}
