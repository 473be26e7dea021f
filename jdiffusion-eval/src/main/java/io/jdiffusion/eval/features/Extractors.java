package io.jdiffusion.eval.features;

import io.jdiffusion.data.DatasetSpecs;
import io.jdiffusion.pipeline.TrainedClassifier;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens a feature extractor from its command-line spec:
 *
 * <ul>
 *   <li>{@code auto}: the classifier bundled for the reference dataset's family, the resource
 *       {@code /io/jdiffusion/eval/classifiers/FAMILY.safetensors}: "fashion-classifier",
 *       "mnist-classifier", "cifar10-classifier" (a model card beside each);
 *   <li>{@code classifier:FILE}: a classifier trained with {@code train-classifier};
 *   <li>{@code inception:FILE}: a TorchScript Inception-v3 ({@link TorchScriptInception}), named
 *       "inception-v3".
 * </ul>
 */
public final class Extractors {
  /** One-line summary of the accepted specs, for help texts and errors. */
  public static final String ACCEPTED = "auto, classifier:FILE.safetensors, inception:FILE.pt";

  private Extractors() {}

  /** Classpath location of the classifier bundled for a dataset family. */
  public static String bundledResource(String family) {
    return "/io/jdiffusion/eval/classifiers/" + family + ".safetensors";
  }

  /** The classifier bundled for the family of dataset {@code refSpec}, if any. */
  public static Optional<TrainedClassifier> bundled(String refSpec) {
    return DatasetSpecs.family(refSpec).flatMap(f -> TrainedClassifier.loadResource(bundledResource(f)));
  }

  /**
   * Opens the extractor named by {@code spec}.
   *
   * @param refSpec the reference dataset, which {@code auto} uses to find a bundled classifier
   * @throws IllegalArgumentException for an unknown spec or when {@code auto} finds no classifier
   */
  public static FeatureExtractor open(String spec, String refSpec) {
    String s = spec == null ? "auto" : spec.strip();
    if (s.equals("auto")) {
      return new ClassifierExtractor(bundled(refSpec).orElseThrow(() -> new IllegalArgumentException(
          "no bundled classifier for dataset '" + refSpec + "'; train one with train-classifier and pass"
              + " --extractor classifier:FILE, or use --extractor inception:FILE.pt")));
    }
    if (s.startsWith("classifier:") && s.length() > "classifier:".length()) {
      return new ClassifierExtractor(TrainedClassifier.load(Path.of(s.substring("classifier:".length()))));
    }
    if (s.startsWith("inception:") && s.length() > "inception:".length()) {
      return TorchScriptInception.load(Path.of(s.substring("inception:".length())), "inception-v3");
    }
    throw new IllegalArgumentException("unknown extractor '" + s + "'; accepted: " + ACCEPTED);
  }
}
