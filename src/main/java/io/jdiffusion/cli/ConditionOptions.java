package io.jdiffusion.cli;

import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.TrainedModel;
import picocli.CommandLine.Option;

/** {@code --class} and {@code --guidance}, shared by the commands that sample. */
public final class ConditionOptions {
  @Option(names = "--class", paramLabel = "NAME|INDEX",
      description = "Class to generate (conditional models): a class name of the training data or its index.")
  String classSpec;

  @Option(names = "--guidance", paramLabel = "W", defaultValue = "1",
      description = "Classifier-free guidance weight: 0 unconditional, 1 conditional (default), >1 stronger.")
  double guidance;

  /** The class index, or null when no --class was given. */
  Integer classIndex(TrainedModel m) {
    Conditioning.checkGuidance(m, guidance);
    return classSpec == null ? null : Conditioning.classIndex(m, classSpec);
  }
}
