package io.jdiffusion.cli;

import io.jdiffusion.data.DatasetSpecs;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.interop.DiffusersFolder;
import io.jdiffusion.pipeline.Pretrained;
import io.jdiffusion.pipeline.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a name means where either a model or images will do (evaluate's SOURCE): {@code model:NAME},
 * {@code hf:ORG/NAME} and {@code data:NAME} say it; a path is what it holds; a bare name that is both a shipped model and
 * a dataset ({@code mnist}, {@code fashion-mnist}) is refused with the two spellings, never guessed.
 */
enum SourceKind {
  /** A model to sample from: a shipped name, run directory, checkpoint, weights file or diffusers folder. */
  MODEL,
  /** A dataset spec. */
  DATASET,
  /** A folder of images. */
  IMAGES;

  /** The kind of {@code spec}. */
  static SourceKind of(String spec) {
    if (spec.startsWith(TrainedModel.MODEL_PREFIX) || io.jdiffusion.hub.HubRef.isRef(spec)) {
      return MODEL;
    }
    if (spec.startsWith(Datasets.PREFIX)) {
      return DATASET;
    }
    Path p = Path.of(spec);
    if (Files.exists(p)) {
      return Files.isRegularFile(p) || Files.isDirectory(p.resolve("checkpoints")) || DiffusersFolder.isFolder(p)
          ? MODEL : IMAGES;
    }
    boolean model = Pretrained.byId(spec) != null;
    boolean data = DatasetSpecs.family(spec).isPresent();
    if (model && data) {
      throw new IllegalArgumentException("'" + spec + "' is both a shipped model and a dataset: write model:" + spec
          + " to sample from the model, or data:" + spec + " to measure the dataset's own images");
    }
    if (model) {
      return MODEL;
    }
    if (data) {
      return DATASET;
    }
    throw new IllegalArgumentException(spec + ": no such run directory, weights file, image folder, shipped model or "
        + "dataset");
  }

  /** {@code spec} without the prefix that named its kind. */
  String bare(String spec) {
    String prefix = this == MODEL ? TrainedModel.MODEL_PREFIX : this == DATASET ? Datasets.PREFIX : "";
    return spec.startsWith(prefix) ? spec.substring(prefix.length()) : spec;
  }
}
