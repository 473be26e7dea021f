package io.jdiffusion.data;

import java.util.Optional;

/**
 * Facts about dataset specs (see {@link Datasets}) that evaluation needs without opening the data:
 * the family a spec belongs to, its held-out split, and its native image shape.
 *
 * <p>Convention: a built-in dataset {@code NAME} (or {@code NAME:DIR}) has its test split at
 * {@code NAME-test} (or {@code NAME-test:DIR}), and the embedded {@code NAME-subset} belongs to
 * family {@code NAME}. New built-in datasets that follow it need no change here.
 */
public final class DatasetSpecs {
  private DatasetSpecs() {}

  /** The built-in family of {@code spec} ("fashion-mnist"), or empty for an image folder. */
  public static Optional<String> family(String spec) {
    String s = normalize(spec);
    if (!Datasets.isFashionMnist(s)) {
      return Optional.empty();
    }
    String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
    for (String suffix : new String[] {"-test", "-subset"}) {
      if (name.endsWith(suffix)) {
        name = name.substring(0, name.length() - suffix.length());
      }
    }
    return Optional.of(name);
  }

  /**
   * The test split that goes with the training split {@code spec}: {@code NAME -> NAME-test},
   * {@code NAME:DIR -> NAME-test:DIR}, {@code NAME-subset -> NAME-test}; empty for image folders
   * and for specs that already name a test split.
   */
  public static Optional<String> testSplit(String spec) {
    String s = normalize(spec);
    Optional<String> family = family(s);
    if (family.isEmpty()) {
      return Optional.empty();
    }
    String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
    if (name.endsWith("-test")) {
      return Optional.empty();
    }
    String dir = s.contains(":") ? s.substring(s.indexOf(':')) : "";
    return Optional.of(family.get() + "-test" + (name.endsWith("-subset") ? "" : dir));
  }

  /** The native {channels, size} of a built-in dataset, or empty for an image folder. */
  public static Optional<int[]> nativeShape(String spec) {
    return Datasets.isFashionMnist(normalize(spec)) ? Optional.of(new int[] {1, 28}) : Optional.empty();
  }

  private static String normalize(String spec) {
    return spec == null || spec.isBlank() ? Datasets.DEFAULT_SPEC : spec.strip();
  }
}
