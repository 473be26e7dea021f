package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.conditional.ConditionalUNetConfig;
import io.jdiffusion.nn.conditional.UNet2DCondition;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Loads a diffusers {@code UNet2DConditionModel} folder (a pipeline's {@code unet/}: config.json and
 * the weights as {@code save_pretrained} writes them) into a {@link UNet2DCondition}, as {@code
 * UNet2DConditionModel.from_pretrained(dir)} does: strict names (every stored tensor used, none missing,
 * shapes equal), F32/F16/BF16 values read into float32 master weights.
 *
 * <p>Weights, first found wins: {@code diffusion_pytorch_model.safetensors}, its sharded form
 * ({@code diffusion_pytorch_model.safetensors.index.json}), then the {@code .fp16.} and {@code .bf16.}
 * variants, single or sharded ({@code diffusion_pytorch_model.safetensors.index.fp16.json}); a requested
 * variant is looked for first. The network is built with uninitialised parameters and filled one file
 * at a time, so the Java heap holds at most one shard's values (one file's, when unsharded).
 */
public final class UNet2DConditionFolder {
  private static final String BASE = "diffusion_pytorch_model";

  private UNet2DConditionFolder() {}

  /** {@link #load(Path, String, Consumer)} preferring no variant. */
  public static UNet2DCondition load(Path dir, Consumer<String> warn) {
    return load(dir, null, warn);
  }

  /**
   * @param dir the unet folder
   * @param variant "fp16" or "bf16" to prefer that variant's files, or null
   * @param warn receives one line per ignored config key
   * @throws StoreException naming the file and the problem: no weights, a config jdiffusion cannot
   *     compute, a tensor missing, unused or of the wrong shape
   */
  public static UNet2DCondition load(Path dir, String variant, Consumer<String> warn) {
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new StoreException(dir + ": no config.json (not a diffusers UNet folder)");
    }
    ConditionalUNetConfig config = UNet2DConditionConfig.read(readJson(configFile), configFile.toString(), warn);
    List<Path> files = weightFiles(dir, variant);
    UNet2DCondition net = UNet2DCondition.forLoading(config);
    try {
      copyStrict(files, net.parameters());
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  /** The weight files of {@code dir}, in the order above; PyTorch .bin weights last. */
  static List<Path> weightFiles(Path dir, String variant) {
    for (String name : io.jdiffusion.store.WeightFiles.candidates(BASE, variant)) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return io.jdiffusion.store.WeightFiles.isIndex(name) ? io.jdiffusion.store.WeightFiles.shards(dir, p) : List.of(p);
      }
    }
    if (Files.isRegularFile(dir.resolve(BASE + ".bin"))) {
      return List.of(dir.resolve(BASE + ".bin")); // read by the restricted reader: tensors only
    }
    throw new StoreException(dir + ": no " + BASE + ".safetensors (nor a sharded or fp16/bf16 variant)");
  }

  /** Copies every tensor of {@code files} into {@code params}, file by file; strict as load_state_dict. */
  static void copyStrict(List<Path> files, Map<String, Tensor> params) {
    Set<String> loaded = new HashSet<>();
    Set<String> unused = new LinkedHashSet<>();
    for (Path file : files) {
      io.jdiffusion.nn.NativeWeights.each(file, k -> false, (name, stored) -> {
        Tensor target = params.get(name);
        if (target == null) {
          unused.add(name);
          return;
        }
        if (!loaded.add(name)) {
          throw new StoreException(file + ": tensor " + name + " is stored twice");
        }
        long[] shape = Torch.shape(target);
        if (!Arrays.equals(shape, Torch.shape(stored))) {
          throw new StoreException(file + ": tensor " + name + " has shape " + Arrays.toString(Torch.shape(stored))
              + ", the config's network expects " + Arrays.toString(shape));
        }
        try (NoGradGuard ng = new NoGradGuard()) {
          target.copy_(stored);
        }
      });
    }
    if (!unused.isEmpty()) {
      List<String> some = new ArrayList<>(unused).subList(0, Math.min(3, unused.size()));
      throw new StoreException(files.get(0).getParent() + ": stored tensor" + (unused.size() == 1 ? " " : "s ")
          + String.join(", ", some) + (unused.size() > 3 ? " (and " + (unused.size() - 3) + " more)" : "")
          + " not used by the network config.json describes");
    }
    if (loaded.size() != params.size()) {
      List<String> missing = new ArrayList<>();
      for (String k : params.keySet()) {
        if (!loaded.contains(k)) {
          missing.add(k);
        }
      }
      throw new StoreException(files.get(0).getParent() + ": stored weights lack tensor" + (missing.size() == 1 ? " " : "s ")
          + String.join(", ", missing.subList(0, Math.min(3, missing.size())))
          + (missing.size() > 3 ? " (and " + (missing.size() - 3) + " more)" : ""));
    }
  }

  private static JsonNode readJson(Path file) {
    try {
      return Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreException(file + ": unreadable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }
}
