package io.jdiffusion.pipeline;

import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.FashionMnist;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.train.Checkpoint;
import io.jdiffusion.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network ready for sampling, rebuilt from a file alone: the U-Net (EMA weights by default), its
 * noise schedule, what it predicts, and the names of its classes.
 *
 * <p>Loads a run directory (its newest checkpoint), a checkpoint file, or an exported weights file
 * ({@link #exportWeights}: diffusers-style names, config in the metadata).
 *
 * @param classNames the dataset's class names in label order (metadata "class_names"), or empty when
 *     unknown: unconditional models, and files written before names were stored (Fashion-MNIST runs
 *     fall back to {@link FashionMnist#CLASS_NAMES})
 */
public record TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction, List<String> classNames) {
  public static final String WEIGHTS_FORMAT = "jdiffusion-weights-1";
  /** Metadata key of the class names (a JSON list) in checkpoints and weights files. */
  public static final String CLASS_NAMES_KEY = "class_names";

  public TrainedModel {
    classNames = List.copyOf(classNames);
    int classes = net.config().numClasses();
    if (!classNames.isEmpty() && classNames.size() != classes) {
      throw new StoreException(classNames.size() + " class names for a model with " + classes + " classes");
    }
  }

  /** A model without class names. */
  public TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction) {
    this(net, scheduleConfig, prediction, List.of());
  }

  public NoiseSchedule schedule() {
    return scheduleConfig.build();
  }

  public UNetConfig config() {
    return net.config();
  }

  /**
   * Loads from a run directory, checkpoint or weights file.
   *
   * @param useEma take the EMA weights of a checkpoint (ignored for weights files, which hold one set)
   */
  public static TrainedModel load(Path path, boolean useEma) {
    Path file = path;
    if (Files.isDirectory(path)) {
      try {
        file = Checkpoint.latest(path).orElseThrow(
            () -> new StoreException(path + ": no checkpoints in " + path.resolve("checkpoints")));
      } catch (IOException e) {
        throw new StoreException(path + ": cannot list checkpoints (" + e.getMessage() + ")");
      }
    } else if (!Files.isRegularFile(path)) {
      throw new StoreException(path + ": no such run directory or weights file");
    }
    return fromContents(Safetensors.read(file), file.toString(), useEma);
  }

  /**
   * Resolves what a user names as a model: nothing (the default shipped model), the name of a
   * shipped model ("fashion-mnist", see {@link Pretrained}), or a run directory, checkpoint or
   * weights file.
   */
  public static TrainedModel resolve(String spec, boolean useEma) {
    if (spec == null || spec.isBlank()) {
      return Pretrained.defaultModel().load();
    }
    Path path = Path.of(spec);
    Pretrained shipped = Pretrained.byId(spec);
    if (shipped != null && !Files.exists(path)) {
      return shipped.load();
    }
    return load(path, useEma);
  }

  /**
   * Rebuilds a model from verified safetensors contents (a checkpoint or a weights file); {@code
   * file} names them in errors.
   */
  static TrainedModel fromContents(Safetensors.Contents c, String file, boolean useEma) {
    String format = c.metadata().getOrDefault("format", "");
    if (format.equals(Checkpoint.FORMAT)) {
      TrainConfig cfg = Json.read(c.metadata().get("config"), TrainConfig.class);
      UNet net = new UNet(cfg.model());
      Checkpoint.copyInto(c.tensors(), useEma ? "ema." : "model.", net.parameters());
      List<String> names = classNames(c.metadata(), file);
      if (names.isEmpty() && cfg.model().numClasses() == FashionMnist.CLASS_NAMES.size()
          && Datasets.isFashionMnist(cfg.data())) {
        names = FashionMnist.CLASS_NAMES;
      }
      return new TrainedModel(net, cfg.schedule(), cfg.predictionType(), names);
    }
    if (format.equals(WEIGHTS_FORMAT)) {
      UNetConfig unet = Json.read(c.metadata().get("unet"), UNetConfig.class);
      ScheduleConfig schedule = Json.read(c.metadata().get("schedule"), ScheduleConfig.class);
      UNet net = new UNet(unet);
      Checkpoint.copyInto(c.tensors(), "", net.parameters());
      return new TrainedModel(net, schedule, Prediction.parse(c.metadata().get("prediction")),
          classNames(c.metadata(), file));
    }
    throw new StoreException(file + ": not a jdiffusion checkpoint or weights file");
  }

  /** The class names stored in a file's metadata, or an empty list. */
  static List<String> classNames(Map<String, String> metadata, String file) {
    String json = metadata.get(CLASS_NAMES_KEY);
    if (json == null) {
      return List.of();
    }
    try {
      return List.of(Json.read(json, String[].class));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new StoreException(file + ": unreadable class names in the metadata");
    }
  }

  /** The metadata entry for {@code names} ({@link #CLASS_NAMES_KEY}), or nothing when empty. */
  public static Map<String, String> classNamesMetadata(List<String> names) {
    return names.isEmpty() ? Map.of() : Map.of(CLASS_NAMES_KEY, Json.write(names));
  }

  /**
   * Writes the weights with diffusers' UNet2DModel names and the configs as metadata.
   *
   * @param bf16 store bfloat16 (half the size) instead of float32
   */
  public void exportWeights(Path file, boolean bf16) throws IOException {
    Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
    try (var scope = new org.bytedeco.javacpp.PointerScope()) {
      for (var e : net.parameters().entrySet()) {
        t.put(e.getKey(), new Safetensors.Entry(Torch.shape(e.getValue()), Torch.toFloats(e.getValue())));
      }
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", WEIGHTS_FORMAT);
    meta.put("unet", Json.write(net.config()));
    meta.put("schedule", Json.write(scheduleConfig));
    meta.put("prediction", prediction.name().toLowerCase(java.util.Locale.ROOT));
    meta.putAll(classNamesMetadata(classNames));
    Safetensors.write(file, t, meta, bf16);
  }
}
