package io.jdiffusion.cli;

import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.TrainedModel;
import picocli.CommandLine.Option;

/** {@code --class} and {@code --guidance}, shared by the commands that sample. */
public final class ConditionOptions {
  @Option(names = "--class", paramLabel = "NAME|INDEX",
      description = "Class to generate (conditional models): a class name of the training data or its index "
          + "(default: none, the unconditional model).")
  String classSpec;

  @Option(names = "--guidance", paramLabel = "W", defaultValue = "1",
      description = "Classifier-free guidance weight: 0 unconditional, 1 conditional (default), >1 stronger.")
  double guidance;

  /** The class index, or null when no --class was given; the library's checks, in the command line's words. */
  Integer classIndex(TrainedModel m) {
    boolean conditional = m.config().numClasses() > 0;
    if (!(guidance >= 0) || Double.isInfinite(guidance)) {
      throw new IllegalArgumentException("--guidance must be a finite weight >= 0, got " + guidance);
    }
    if (!conditional && (guidance != 1 || classSpec != null)) {
      throw new IllegalArgumentException((classSpec != null ? "--class" : "--guidance")
          + " needs a class-conditional model (train with --class-conditional)");
    }
    if (conditional && guidance != 1 && classSpec == null) {
      throw new IllegalArgumentException("--guidance steers towards a class: give --class too");
    }
    return classSpec == null ? null : Conditioning.classIndex(m, classSpec);
  }
}
