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

  @Option(names = "--guidance", paramLabel = "W",
      description = "Classifier-free guidance weight: 0 unconditional, 1 conditional, >1 stronger (default: the "
          + "model's own with --class, 1 unless its file stores another; 7.5 for a text-to-image pipeline).")
  Double given;

  /** The weight given, else the model's own when a class is asked for, else 1. */
  double guidance(TrainedModel m) {
    return given != null ? given : classSpec != null ? m.guidance() : 1;
  }

  /** The class index, or null when no --class was given; the library's checks, in the command line's words. */
  Integer classIndex(TrainedModel m) {
    boolean conditional = m.config().numClasses() > 0;
    double guidance = guidance(m);
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
