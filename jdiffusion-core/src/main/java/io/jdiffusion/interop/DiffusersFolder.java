package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.model.ModelFile;
import io.jdiffusion.model.SamplingDefaults;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.AtomicFiles;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.store.TorchPickle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * A diffusers model folder, both ways: a UNet2DModel folder (config.json and
 * diffusion_pytorch_model.safetensors, as {@code save_pretrained} writes it) or a DDPMPipeline folder
 * (model_index.json, unet/, scheduler/scheduler_config.json).
 *
 * <p>Reading accepts F32, F16 and BF16 weights of any size ({@link ForeignSafetensors}), sharded
 * weights (an index.json's weight_map), and the attention names of diffusers before 0.14 (query, key,
 * value, proj_attn); PyTorch's .bin weights through {@link TorchPickle}, which builds tensors and runs nothing.
 */
public final class DiffusersFolder {
  /** The weights file name of diffusers' models. */
  public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

  /**
   * A model read from a folder.
   *
   * @param net the U-Net with the folder's weights
   * @param scheduler the scheduler config's schedule, prediction and sampler defaults
   * @param steps the steps the folder's pipeline class samples with when called without
   *     num_inference_steps ({@link #pipelineSteps}), empty for a model folder
   */
  public record Loaded(UNet net, DiffusersScheduler scheduler, OptionalInt steps) {}

  /**
   * The num_inference_steps default of a pipeline class: 1000 for DDPMPipeline, 50 for DDIMPipeline
   * (diffusers' pipeline_ddpm.py and pipeline_ddim.py); empty for other classes.
   */
  static OptionalInt pipelineSteps(String pipelineClass) {
    return switch (pipelineClass) {
      case "DDPMPipeline" -> OptionalInt.of(1000);
      case "DDIMPipeline" -> OptionalInt.of(50);
      default -> OptionalInt.empty();
    };
  }

  private DiffusersFolder() {}

  /**
   * Whether {@code dir} is a diffusers folder: model_index.json, or config.json beside
   * diffusion_pytorch_model.* (a jdiffusion run directory has a config.json too, but no such weights).
   */
  public static boolean isFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    if (Files.isRegularFile(dir.resolve("model_index.json"))) {
      return true;
    }
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      return false;
    }
    try (var files = Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().startsWith("diffusion_pytorch_model."));
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads a UNet2DModel or DDPMPipeline folder; warnings go to {@code warn}. */
  public static Loaded load(Path dir, Consumer<String> warn) {
    Path unetDir = dir;
    Path schedulerFile = null;
    OptionalInt steps = OptionalInt.empty();
    if (Files.isRegularFile(dir.resolve("model_index.json"))) {
      JsonNode index = readJson(dir.resolve("model_index.json"));
      steps = pipelineSteps(index.path("_class_name").asText(""));
      if (!index.has("unet")) {
        throw new StoreException(dir.resolve("model_index.json") + ": no unet (" + index.path("_class_name").asText("?")
            + " is not a pipeline of one UNet2DModel)");
      }
      unetDir = dir.resolve("unet");
      schedulerFile = dir.resolve("scheduler").resolve("scheduler_config.json");
    } else if (Files.isRegularFile(dir.resolve("scheduler_config.json"))) {
      schedulerFile = dir.resolve("scheduler_config.json");
    }
    Path configFile = unetDir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new StoreException(unetDir + ": no config.json");
    }
    UNetConfig config = UNet2DModelConfig.read(readJson(configFile), configFile.toString(), warn);
    DiffusersScheduler scheduler;
    if (schedulerFile != null && Files.isRegularFile(schedulerFile)) {
      scheduler = DiffusersScheduler.read(readJson(schedulerFile), schedulerFile.toString(), warn);
    } else {
      warn.accept("warning: " + dir + ": no scheduler config; using DDPMScheduler's defaults (linear betas 1e-4 .. 0.02"
          + " over 1000 steps, epsilon prediction)");
      scheduler = DiffusersScheduler.defaults();
    }
    Map<String, Safetensors.Entry> weights = renameLegacy(readWeights(unetDir));
    UNet net = new UNet(config);
    try {
      ModelFile.copyInto(weights, "", net.parameters());
    } catch (StoreException e) {
      net.close();
      throw new StoreException(unetDir + ": " + e.getMessage());
    }
    return new Loaded(net, scheduler, steps);
  }

  /** The weights of a model folder: one safetensors file, a sharded set, or a refusal that says how to convert. */
  static Map<String, Safetensors.Entry> readWeights(Path dir) {
    Path file = dir.resolve(WEIGHTS);
    if (Files.isRegularFile(file)) {
      return ForeignSafetensors.read(file).tensors();
    }
    Path index = dir.resolve(WEIGHTS + ".index.json");
    if (Files.isRegularFile(index)) {
      Map<String, Safetensors.Entry> all = new LinkedHashMap<>();
      JsonNode map = readJson(index).path("weight_map");
      java.util.Set<String> shards = new java.util.TreeSet<>();
      map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
      for (String shard : shards) {
        Path p = dir.resolve(shard).normalize();
        if (!p.startsWith(dir.normalize()) || shard.contains("/") || shard.contains("\\")) {
          throw new StoreException(index + ": shard name " + shard + " leaves the folder");
        }
        all.putAll(ForeignSafetensors.read(p).tensors());
      }
      return all;
    }
    for (String variant : new String[] {"diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.bf16.safetensors"}) {
      if (Files.isRegularFile(dir.resolve(variant))) {
        return ForeignSafetensors.read(dir.resolve(variant)).tensors();
      }
    }
    Path bin = dir.resolve("diffusion_pytorch_model.bin");
    if (Files.isRegularFile(bin)) {
      return TorchPickle.read(bin); // tensors only: a pickle that would call anything else is refused
    }
    throw new StoreException(dir + ": no " + WEIGHTS);
  }

  /** diffusers before 0.14 named the attention layers query, key, value and proj_attn. */
  static Map<String, Safetensors.Entry> renameLegacy(Map<String, Safetensors.Entry> weights) {
    Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
    for (var e : weights.entrySet()) {
      String k = e.getKey();
      if (k.contains(".attentions.")) {
        k = k.replace(".query.", ".to_q.").replace(".key.", ".to_k.").replace(".value.", ".to_v.")
            .replace(".proj_attn.", ".to_out.0.");
      }
      out.put(k, e.getValue());
    }
    return out;
  }

  private static JsonNode readJson(Path file) {
    try {
      return Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreException(file + ": unreadable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /**
   * Writes a folder that both {@code UNet2DModel.from_pretrained(dir)} (config.json and weights at the
   * top) and {@code DDPMPipeline.from_pretrained(dir)} (model_index.json, unet/, scheduler/) load: the
   * weights in float32 under diffusers' names, the U-Net's config in diffusers' keys, and a
   * DDIMScheduler config (DDIM's defaults: eta 0, 50 steps) whose loop with {@code
   * use_clipped_model_output=True} is jdiffusion's DDIM.
   */
  public static void write(Path dir, UNet net, ScheduleConfig schedule, Prediction prediction) throws IOException {
    write(dir, net, schedule, prediction, io.jdiffusion.sampling.Samplers.DDIM, SamplerSettings.eta(0),
        new SamplingDefaults("ddim", Math.min(50, schedule.steps()), 0.0, "leading", 1));
  }

  /** {@link #write(Path, UNet, ScheduleConfig, Prediction)} with the model's default sampler and settings. */
  public static void write(Path dir, UNet net, ScheduleConfig schedule, Prediction prediction, Sampler sampler,
      SamplerSettings run, SamplingDefaults defaults) throws IOException {
    ObjectNode config = UNet2DModelConfig.write(net.config()); // first: a model diffusers cannot express writes nothing
    Files.createDirectories(dir.resolve("unet"));
    Files.createDirectories(dir.resolve("scheduler"));
    Map<String, Safetensors.Entry> entries = ModelFile.entries("", net.parameters());
    Path weights = dir.resolve("unet").resolve(WEIGHTS);
    Safetensors.write(weights, entries, Map.of("format", "pt"), false);
    writeJson(dir.resolve("unet").resolve("config.json"), config);
    writeJson(dir.resolve("config.json"), config);
    Path top = dir.resolve(WEIGHTS);
    Files.deleteIfExists(top);
    try {
      Files.createLink(top, weights);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(weights, top);
    }
    ObjectNode scheduler = DiffusersScheduler.write(schedule, prediction, sampler, run, defaults);
    writeJson(dir.resolve("scheduler").resolve("scheduler_config.json"), scheduler);
    ObjectNode index = Json.mapper().createObjectNode();
    index.put("_class_name", "DDPMPipeline");
    index.put("_diffusers_version", "0.31.0");
    index.putArray("scheduler").add("diffusers").add(scheduler.get("_class_name").asText());
    index.putArray("unet").add("diffusers").add("UNet2DModel");
    writeJson(dir.resolve("model_index.json"), index);
  }

  private static void writeJson(Path file, JsonNode node) throws IOException {
    byte[] bytes = (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, ByteBuffer.wrap(bytes));
  }
}
