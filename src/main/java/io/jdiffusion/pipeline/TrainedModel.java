package io.jdiffusion.pipeline;

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
import java.util.Map;

/**
 * A network ready for sampling, rebuilt from a file alone: the U-Net (EMA weights by default), its
 * noise schedule and what it predicts.
 *
 * <p>Loads a run directory (its newest checkpoint), a checkpoint file, or an exported weights file
 * ({@link #exportWeights}: diffusers-style names, config in the metadata).
 */
public record TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction) {
  public static final String WEIGHTS_FORMAT = "jdiffusion-weights-1";

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
   * Rebuilds a model from verified safetensors contents (a checkpoint or a weights file); {@code
   * file} names them in errors.
   */
  static TrainedModel fromContents(Safetensors.Contents c, String file, boolean useEma) {
    String format = c.metadata().getOrDefault("format", "");
    if (format.equals(Checkpoint.FORMAT)) {
      TrainConfig cfg = Json.read(c.metadata().get("config"), TrainConfig.class);
      UNet net = new UNet(cfg.model());
      Checkpoint.copyInto(c.tensors(), useEma ? "ema." : "model.", net.parameters());
      return new TrainedModel(net, cfg.schedule(), cfg.predictionType());
    }
    if (format.equals(WEIGHTS_FORMAT)) {
      UNetConfig unet = Json.read(c.metadata().get("unet"), UNetConfig.class);
      ScheduleConfig schedule = Json.read(c.metadata().get("schedule"), ScheduleConfig.class);
      UNet net = new UNet(unet);
      Checkpoint.copyInto(c.tensors(), "", net.parameters());
      return new TrainedModel(net, schedule, Prediction.parse(c.metadata().get("prediction")));
    }
    throw new StoreException(file + ": not a jdiffusion checkpoint or weights file");
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
    Safetensors.write(file, t, meta, bf16);
  }
}
