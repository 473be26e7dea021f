package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.ClassifierFreeGuidance;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.UNetDenoiser;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Class labels and classifier-free guidance for a {@link TrainedModel}: resolves a class given by
 * name or index, and builds the {@link Denoiser} for a batch (plain, or guided when w != 1).
 */
public final class Conditioning {
  private Conditioning() {}

  /**
   * The class index named by {@code spec}: an index in [0, numClasses), or one of the model's class
   * names (case-insensitive).
   */
  public static int classIndex(TrainedModel m, String spec) {
    int classes = m.config().numClasses();
    if (classes == 0) {
      throw new IllegalArgumentException("a class needs a class-conditional model; this one is unconditional");
    }
    String s = spec.strip();
    if (s.matches("-?\\d+")) {
      int index = Integer.parseInt(s);
      if (index < 0 || index >= classes) {
        throw new IllegalArgumentException("class index " + index + " is outside [0, " + (classes - 1) + "]");
      }
      return index;
    }
    List<String> names = m.classNames();
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).toLowerCase(Locale.ROOT).equals(s.toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("this model stores no class names; name the class by its index 0.." + (classes - 1));
    }
    throw new IllegalArgumentException("unknown class '" + s + "' (classes: " + String.join(", ", names) + ")");
  }

  /** Classes 0, 1, 2, ... in turn for n images (class-balanced grids and evaluations); null for unconditional models. */
  public static int[] inTurn(TrainedModel m, int n) {
    int classes = m.config().numClasses();
    if (classes == 0) {
      return null;
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % classes;
    }
    return labels;
  }

  /** n copies of {@code label}. */
  public static int[] repeat(int label, int n) {
    int[] labels = new int[n];
    Arrays.fill(labels, label);
    return labels;
  }

  /**
   * The denoiser for one batch.
   *
   * @param labels one class per image for conditional models (numClasses = no label); null for
   *     unconditional ones
   * @param guidance classifier-free guidance weight w; 1 = the plain conditional model (one pass)
   */
  public static Denoiser denoiser(TrainedModel m, int[] labels, double guidance, Precision precision) {
    checkGuidance(m, guidance);
    if (m.config().numClasses() == 0) {
      if (labels != null) {
        throw new IllegalArgumentException("this model is unconditional and takes no class labels");
      }
      return new UNetDenoiser(m.net(), m.prediction(), null, precision);
    }
    if (labels == null) {
      throw new IllegalArgumentException("this model is class-conditional: labels are required");
    }
    if (guidance == 1) {
      return new UNetDenoiser(m.net(), m.prediction(), labels, precision);
    }
    for (int label : labels) {
      if (label == m.config().numClasses()) {
        throw new IllegalArgumentException("guidance steers towards a class: give a class too");
      }
    }
    return new ClassifierFreeGuidance(m.net(), m.prediction(), labels, guidance, precision);
  }

  /**
   * The labels of n images: null for an unconditional model, else {@code classIndex} for every image,
   * or "no label" (numClasses) when it is null.
   */
  public static int[] labels(TrainedModel m, Integer classIndex, int n) {
    int classes = m.config().numClasses();
    if (classes == 0) {
      if (classIndex != null) {
        throw new IllegalArgumentException("a class needs a class-conditional model; this one is unconditional");
      }
      return null;
    }
    return classIndex != null ? repeat(classIndex, n) : unconditional(m, n);
  }

  /**
   * The "no label" label of a class-conditional model for n images: its null class (index
   * numClasses), which only models trained with label dropout have; diffusers models with plain
   * {@code num_class_embeds} have none and always need a class.
   */
  public static int[] unconditional(TrainedModel m, int n) {
    if (!m.config().nullClass()) {
      throw new IllegalArgumentException("this class-conditional model has no unconditional label (no null class: "
          + "it was not trained with label dropout): give a class");
    }
    return repeat(m.config().numClasses(), n);
  }

  /** Rejects guidance that the model cannot do or that is not a weight >= 0. */
  public static void checkGuidance(TrainedModel m, double guidance) {
    if (!(guidance >= 0) || Double.isInfinite(guidance)) {
      throw new IllegalArgumentException("guidance must be a finite weight >= 0, got " + guidance);
    }
    if (guidance != 1 && m.config().numClasses() == 0) {
      throw new IllegalArgumentException("guidance needs a class-conditional model; this one is unconditional");
    }
    if (guidance != 1 && !m.config().nullClass()) {
      throw new IllegalArgumentException("classifier-free guidance needs the model's unconditional branch, and this "
          + "model has none (no null class: it was not trained with label dropout); use guidance 1");
    }
  }
}
