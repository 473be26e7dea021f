package io.jdiffusion.train;

import io.jdiffusion.model.Checkpoints;
import io.jdiffusion.model.ModelFile;
import io.jdiffusion.model.ModelSpec;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training checkpoint: weights ("model."), EMA weights ("ema."), AdamW moments ("optim."), the
 * step, the {@link ModelSpec} and class names ({@link ModelFile}'s metadata, what sampling reads) and
 * the whole {@link TrainConfig} ("training", read only to resume), in one safetensors file written
 * atomically and verified by its whole-file checksum on load. Files are {@code
 * RUN/checkpoints/step-NNNNNNN.safetensors}.
 *
 * <p>The random state needs no saving: every random draw of step k is seeded from (seed, k), so a
 * resumed run continues exactly as the uninterrupted one.
 */
public record Checkpoint(TrainConfig config, long step, long optimizerSteps, Safetensors.Contents contents) {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
  /** Metadata key of the training configuration (version 1 files: "config"). */
  static final String TRAINING_KEY = "training";

  /** Path of the checkpoint for {@code step} in {@code runDir} ({@link Checkpoints#pathFor}). */
  public static Path pathFor(Path runDir, long step) {
    return Checkpoints.pathFor(runDir, step);
  }

  /** Writes a checkpoint, then deletes all but the newest {@code config.keepCheckpoints()}. */
  public static Path save(Path runDir, TrainConfig config, long step, UNet model, Ema ema, AdamW opt)
      throws IOException {
    return save(runDir, config, step, model, ema, opt, List.of());
  }

  /**
   * Writes a checkpoint with the dataset's class names (empty when unknown), then deletes all but the
   * newest {@code config.keepCheckpoints()}.
   */
  public static Path save(Path runDir, TrainConfig config, long step, UNet model, Ema ema, AdamW opt,
      List<String> classNames) throws IOException {
    Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
    t.putAll(ModelFile.entries("model.", model.parameters()));
    t.putAll(ModelFile.entries("ema.", ema.model().parameters()));
    t.putAll(ModelFile.entries("optim.", opt.state()));
    Map<String, String> meta = ModelFile.metadata(ModelFile.CHECKPOINT, spec(config), classNames);
    meta.put("step", Long.toString(step));
    meta.put("optimizer_steps", Long.toString(opt.stepCount()));
    meta.put(TRAINING_KEY, Json.write(config));
    Path file = pathFor(runDir, step);
    Safetensors.write(file, t, meta, false);
    List<Path> all = list(runDir);
    for (int i = 0; i + config.keepCheckpoints() < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
    return file;
  }

  /** The model part of a training configuration. */
  public static ModelSpec spec(TrainConfig c) {
    return new ModelSpec(c.model(), c.schedule(), c.prediction());
  }

  /** Checkpoint files of a run, oldest first ({@link Checkpoints#list}). */
  public static List<Path> list(Path runDir) throws IOException {
    return Checkpoints.list(runDir);
  }

  /**
   * Removes what interrupted writers left in a run directory: the temporary files of atomic writes
   * ({@code .NAME*.tmp}) beside the checkpoints and at the top. Call it holding the run's {@link RunLock}.
   *
   * @return how many were removed
   */
  public static int removeStaleTemporaries(Path runDir) throws IOException {
    int removed = 0;
    for (Path dir : List.of(runDir, runDir.resolve("checkpoints"), runDir.resolve("samples"), runDir.resolve("strips"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.filter(p -> p.getFileName().toString().matches("\\..+\\.tmp")).toList()) {
          removed += Files.deleteIfExists(p) ? 1 : 0;
        }
      }
    }
    return removed;
  }

  /**
   * Loads the newest checkpoint of a run. When it does not verify (a crash or a disk that lost it),
   * the error names the newest older one that does, rather than resuming from it silently.
   *
   * @throws StoreException when the run has no checkpoint, or its newest one is unreadable
   */
  public static Checkpoint loadLatest(Path runDir) throws IOException {
    List<Path> all = list(runDir);
    if (all.isEmpty()) {
      throw new StoreException(runDir + ": nothing to resume (no checkpoints)");
    }
    Path newest = all.get(all.size() - 1);
    try {
      return load(newest);
    } catch (StoreException e) {
      Optional<Path> valid = Checkpoints.newestValidBefore(runDir, newest, Checkpoint::verifies);
      throw new StoreException(e.getMessage() + (valid.isEmpty()
          ? "; no older checkpoint of " + runDir + " verifies either"
          : "; the newest valid checkpoint is " + valid.get() + ": move " + newest.getFileName() + " out of "
              + newest.getParent() + " to resume from it"));
    }
  }

  private static boolean verifies(Path file) {
    try {
      load(file);
      return true;
    } catch (StoreException e) {
      return false;
    }
  }

  /** Reads and verifies a checkpoint file (any version); its training configuration is read tolerantly. */
  public static Checkpoint load(Path file) {
    Safetensors.Contents c = Safetensors.read(file);
    if (!ModelFile.isCheckpoint(c)) {
      throw new StoreException(file + ": not a jdiffusion checkpoint (format " + c.metadata().get("format") + ")");
    }
    long[] steps = Checkpoints.steps(c.metadata(), file.toString());
    try {
      String json = c.metadata().getOrDefault(TRAINING_KEY, c.metadata().get("config"));
      TrainConfig config = Json.readTolerant(json, TrainConfig.quick(), TrainConfig.class, file + ": training",
          TrainConfig.ADDED_LATER, LOG::warn);
      return new Checkpoint(config, steps[0], steps[1], c);
    } catch (RuntimeException e) {
      throw new StoreException(file + ": unreadable checkpoint metadata (" + e.getMessage() + ")");
    }
  }

  /** Copies the stored tensors with {@code prefix} into {@code into} (same names and shapes, none unused). */
  public void restore(String prefix, Map<String, Tensor> into) {
    ModelFile.copyInto(contents.tensors(), prefix, into);
  }
}
