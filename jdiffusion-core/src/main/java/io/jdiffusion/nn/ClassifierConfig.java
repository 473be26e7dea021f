package io.jdiffusion.nn;

import java.util.List;

/**
 * Architecture of the small image classifier used as a domain feature extractor for FID, KID,
 * Inception Score and precision/recall (see {@link Classifier}). Saved as JSON in the weights file.
 *
 * @param inChannels image channels: 1 grey, 3 RGB
 * @param imageSize height = width of the input images, in pixels
 * @param numClasses classes of the dataset the classifier is trained on
 * @param widths channels per stage; stage 0 keeps the resolution, every later stage halves it
 * @param groups GroupNorm groups; every width must divide by it
 * @param featureDim width of the penultimate (feature) layer
 */
public record ClassifierConfig(int inChannels, int imageSize, int numClasses, List<Integer> widths, int groups,
    int featureDim) {

  public ClassifierConfig {
    widths = List.copyOf(widths);
    check(inChannels == 1 || inChannels == 3, "inChannels must be 1 or 3, got " + inChannels);
    check(imageSize >= 4 && imageSize <= 1024, "imageSize must be between 4 and 1024, got " + imageSize);
    check(numClasses >= 2 && numClasses <= 100_000, "a classifier needs between 2 and 100000 classes, got " + numClasses);
    check(!widths.isEmpty() && widths.size() <= 16, "widths must have between 1 and 16 stages, got " + widths.size());
    check(groups >= 1, "groups must be >= 1, got " + groups);
    check(featureDim >= 1 && featureDim <= 65_536, "featureDim must be between 1 and 65536, got " + featureDim);
    for (int w : widths) {
      check(w >= 1 && w % groups == 0, "width " + w + " not a positive multiple of groups " + groups);
      check(w <= 4096, "widths must be at most 4096 channels, got " + w);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Height = width of the last stage: every later stage halves it, rounding up (3x3, stride 2, padding 1). */
  public int finalSize() {
    int s = imageSize;
    for (int i = 1; i < widths.size(); i++) {
      s = (s + 1) / 2;
    }
    return s;
  }

  /**
   * The default: widths 16, 32, 64 (28x28 -> 14x14 -> 7x7), 4 GroupNorm groups, 128 features (about
   * 470 k parameters at 1x28x28).
   */
  public static ClassifierConfig small(int inChannels, int imageSize, int numClasses) {
    return new ClassifierConfig(inChannels, imageSize, numClasses, List.of(16, 32, 64), 4, 128);
  }
}
