package io.jdiffusion.eval.features;

import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.util.Progress;

/** Runs an extractor over many images in batches, reporting progress. */
public final class FeatureSets {
  private FeatureSets() {}

  /** Features of {@code n} images held in one array ([n, c, h, w] flattened, values in [0, 1]). */
  public static Features of(FeatureExtractor fx, float[] images, int n, int c, int h, int w, int batch,
      Progress progress) {
    int per = c * h * w;
    return collect(fx, n, c, h, w, batch, progress, (start, count, dst) ->
        System.arraycopy(images, start * per, dst, 0, count * per));
  }

  /** Features of the images {@code indices} of {@code data}. */
  public static Features of(FeatureExtractor fx, ImageDataset data, int[] indices, int batch, Progress progress) {
    int per = data.imageSize();
    return collect(fx, indices.length, data.channels(), data.height(), data.width(), batch, progress,
        (start, count, dst) -> {
          for (int i = 0; i < count; i++) {
            data.read(indices[start + i], dst, i * per);
          }
        });
  }

  private interface Source {
    void fill(int start, int count, float[] dst);
  }

  private static Features collect(FeatureExtractor fx, int n, int c, int h, int w, int batch, Progress progress,
      Source source) {
    String bad = fx.checkShape(c, h, w);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    double[][] features = new double[n][];
    double[][] logits = fx.hasLogits() ? new double[n][] : null;
    float[] buf = new float[Math.min(batch, n) * c * h * w];
    for (int start = 0; start < n; start += batch) {
      int count = Math.min(batch, n - start);
      float[] x = count * c * h * w == buf.length ? buf : new float[count * c * h * w]; // last, partial batch
      source.fill(start, count, x);
      Features f = fx.extract(x, count, c, h, w);
      System.arraycopy(f.features(), 0, features, start, count);
      if (logits != null) {
        System.arraycopy(f.logits(), 0, logits, start, count);
      }
      progress.update(start + count);
    }
    return new Features(features, logits);
  }
}
