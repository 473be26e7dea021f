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
  /** Built-in families that have a held-out test split (emoji has none). */
  private static final java.util.Set<String> HAS_TEST_SPLIT = java.util.Set.of("fashion-mnist", "mnist", "cifar10");

  private DatasetSpecs() {}

  /** The built-in family of {@code spec} ("fashion-mnist"), or empty for an image folder. */
  public static Optional<String> family(String spec) {
    Optional<String> builtIn = Datasets.builtInName(spec);
    if (builtIn.isEmpty()) {
      return Optional.empty();
    }
    String name = builtIn.get();
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
    if (name.endsWith("-test") || !HAS_TEST_SPLIT.contains(family.get())) {
      return Optional.empty();
    }
    String dir = s.contains(":") ? s.substring(s.indexOf(':')) : "";
    return Optional.of(family.get() + "-test" + (name.endsWith("-subset") ? "" : dir));
  }

  /** The native {channels, size} of a built-in dataset, or empty for an image folder. */
  public static Optional<int[]> nativeShape(String spec) {
    if (Datasets.builtInName(spec).isEmpty()) {
      return Optional.empty();
    }
    Datasets.Shape shape = Datasets.nativeShape(spec);
    return Optional.of(new int[] {shape.channels(), shape.size()});
  }

  private static String normalize(String spec) {
    return spec == null || spec.isBlank() ? Datasets.DEFAULT_SPEC : Datasets.unprefixed(spec.strip());
  }
}
