package io.jdiffusion.nn.vae;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A diffusers model folder as {@code save_pretrained} writes it ({@code vae/} of a pipeline):
 * config.json beside diffusion_pytorch_model.safetensors, or its {@code .fp16.} / {@code .bf16.}
 * variant (read into float32 by {@link ForeignSafetensors}). Weights load strictly by diffusers' names:
 * every stored tensor used, none missing, shapes equal. The attention names of diffusers before 0.14
 * (query, key, value, proj_attn), which old VAE exports still carry, are read as to_q, to_k, to_v,
 * to_out.0, as diffusers' own loader converts them.
 */
final class VaeFolder {
  static final String WEIGHTS = "diffusion_pytorch_model";

  private VaeFolder() {}

  /** The folder's config.json. */
  static JsonNode config(Path dir) {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new StoreException(dir + ": no config.json (not a diffusers model folder)");
    }
    try {
      return Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreException(file + ": unreadable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /**
   * The weights file of the folder: {@code variant} ("fp16", "bf16") when given, else the float32 file,
   * else the fp16, else the bf16 variant.
   */
  static Path weightsFile(Path dir, String variant) {
    List<String> names = variant != null ? List.of(WEIGHTS + "." + variant + ".safetensors")
        : List.of(WEIGHTS + ".safetensors", WEIGHTS + ".fp16.safetensors", WEIGHTS + ".bf16.safetensors");
    for (String n : names) {
      if (Files.isRegularFile(dir.resolve(n))) {
        return dir.resolve(n);
      }
    }
    if (variant == null && Files.isRegularFile(dir.resolve(WEIGHTS + ".bin"))) {
      return dir.resolve(WEIGHTS + ".bin"); // read by the restricted reader: tensors only
    }
    throw new StoreException(dir + ": no " + String.join(" or ", names));
  }

  /** Copies the stored tensors into {@code params} by name, strictly; errors name the file and the tensor. */
  static void load(Path file, Map<String, Tensor> params) {
    Map<String, Safetensors.Entry> stored = new LinkedHashMap<>();
    io.jdiffusion.store.WeightFiles.read(file, k -> false).forEach((k, v) -> stored.put(modernName(k), v));
    List<String> unused = new ArrayList<>();
    for (String k : stored.keySet()) {
      if (!params.containsKey(k)) {
        unused.add(k);
      }
    }
    if (!unused.isEmpty()) {
      throw new StoreException(file + ": stored tensor" + (unused.size() == 1 ? " " : "s ")
          + String.join(", ", unused.subList(0, Math.min(3, unused.size()))) + (unused.size() > 3 ? ", ..." : "")
          + " not used by the model its config.json describes");
    }
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      for (var e : params.entrySet()) {
        Safetensors.Entry s = stored.get(e.getKey());
        if (s == null) {
          throw new StoreException(file + ": no tensor " + e.getKey() + " (the config.json describes a different model)");
        }
        long[] shape = Torch.shape(e.getValue());
        if (!Arrays.equals(shape, s.shape())) {
          throw new StoreException(file + ": tensor " + e.getKey() + " has shape " + Arrays.toString(s.shape())
              + ", the config.json's model expects " + Arrays.toString(shape));
        }
        e.getValue().copy_(Torch.tensor(s.values(), shape));
      }
    }
  }

  /** diffusers before 0.14 named the attention layers query, key, value and proj_attn. */
  static String modernName(String k) {
    if (!k.contains(".attentions.")) {
      return k;
    }
    return k.replace(".query.", ".to_q.").replace(".key.", ".to_k.").replace(".value.", ".to_v.")
        .replace(".proj_attn.", ".to_out.0.");
  }
}
