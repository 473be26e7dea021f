package io.jdiffusion.data;

import java.util.List;

/**
 * Summary statistics of a whole dataset: images per class and the mean and standard deviation of
 * every channel over all pixels of all images (the figures usually quoted for normalisation, e.g.
 * CIFAR-10 train: mean 0.4914, 0.4822, 0.4465; std 0.2470, 0.2435, 0.2616).
 *
 * <p>Sums are accumulated in double per image, then per dataset, so the result does not drift with
 * the dataset size. The standard deviation is the population one (divisor N).
 *
 * @param images number of images
 * @param classCounts images per class, {@code numClasses} entries (empty when unlabelled)
 * @param unlabelled images with label -1
 * @param mean per-channel mean, in [0, 1]
 * @param std per-channel standard deviation
 */
public record DatasetStats(int images, int[] classCounts, int unlabelled, double[] mean, double[] std) {

  /** Reads every image of {@code data} once. */
  public static DatasetStats of(ImageDataset data) {
    int c = data.channels();
    int plane = data.height() * data.width();
    int classes = data.numClasses();
    int[] counts = new int[classes];
    int unlabelled = 0;
    double[] sum = new double[c];
    double[] sumSq = new double[c];
    float[] img = new float[data.imageSize()];
    for (int i = 0; i < data.size(); i++) {
      data.read(i, img, 0);
      for (int ch = 0; ch < c; ch++) {
        double s = 0;
        double s2 = 0;
        for (int k = ch * plane, end = k + plane; k < end; k++) {
          double v = img[k];
          s += v;
          s2 += v * v;
        }
        sum[ch] += s;
        sumSq[ch] += s2;
      }
      int label = data.label(i);
      if (label >= 0 && label < classes) {
        counts[label]++;
      } else {
        unlabelled++;
      }
    }
    double n = (double) data.size() * plane;
    double[] mean = new double[c];
    double[] std = new double[c];
    for (int ch = 0; ch < c; ch++) {
      mean[ch] = n > 0 ? sum[ch] / n : Double.NaN;
      std[ch] = n > 0 ? Math.sqrt(Math.max(0, sumSq[ch] / n - mean[ch] * mean[ch])) : Double.NaN;
    }
    return new DatasetStats(data.size(), counts, unlabelled, mean, std);
  }

  /** Class counts as a list, for comparisons. */
  public List<Integer> classCountList() {
    return java.util.Arrays.stream(classCounts).boxed().toList();
  }
}
