package io.jdiffusion.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.store.WeightFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Stable Diffusion pipeline repository on the Hub as a local folder: model_index.json and, for the
 * five components a Java pipeline runs, the files diffusers' {@code from_pretrained} reads for them,
 * nothing else (no safety checker, feature extractor, other variants, or ONNX and Flax copies):
 *
 * <ul>
 *   <li>unet, vae: config.json and the weights ({@link #weights}: the variant asked for, else the plain
 *       file, a sharded set with its index, an fp16 or bf16 variant, or PyTorch's .bin);
 *   <li>text_encoder: config.json and model.safetensors (or the same choices, .bin as pytorch_model.bin);
 *   <li>tokenizer: vocab.json, merges.txt, and tokenizer_config.json, special_tokens_map.json,
 *       added_tokens.json where present;
 *   <li>scheduler: scheduler_config.json.
 * </ul>
 *
 * Offline, every choice is made from what the cache holds.
 */
public final class HubPipelines {
  /** The components a Java pipeline runs (the others of model_index.json are not downloaded). */
  static final List<String> COMPONENTS = List.of("unet", "vae", "text_encoder", "tokenizer", "scheduler");

  private HubPipelines() {}

  /** Whether a model_index.json names a text encoder: a text-to-image pipeline. */
  static boolean isTextToImage(Path modelIndex) {
    try {
      return Json.mapper().readTree(Files.readString(modelIndex)).has("text_encoder");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Downloads (or finds in the cache) what a text-to-image pipeline folder needs; returns the folder.
   *
   * @param variant the weights variant to prefer (fp16, bf16), or null
   * @throws StoreException naming the repository and the missing file in one line
   */
  public static Path download(HubRef ref, HubFiles files, String variant) {
    Path index = files.require(ref, "model_index.json");
    JsonNode root;
    try {
      root = Json.mapper().readTree(Files.readString(index));
    } catch (IOException e) {
      throw new StoreException(ref + ": model_index.json is unreadable (" + e.getMessage() + ")");
    }
    for (String c : COMPONENTS) {
      if (!root.has(c) || root.get(c).isNull() || (root.get(c).isArray() && root.get(c).get(1).isNull())) {
        continue; // PipelineIndex names what is missing when the folder is loaded
      }
      switch (c) {
        case "unet", "vae" -> {
          files.require(ref, c + "/config.json");
          weights(ref, files, c + "/", "diffusion_pytorch_model", variant);
        }
        case "text_encoder" -> {
          files.require(ref, c + "/config.json");
          weights(ref, files, c + "/", "model", variant);
        }
        case "tokenizer" -> {
          files.require(ref, "tokenizer/vocab.json");
          files.require(ref, "tokenizer/merges.txt");
          for (String f : List.of("tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")) {
            files.probe(ref, "tokenizer/" + f);
          }
        }
        default -> files.require(ref, "scheduler/scheduler_config.json");
      }
    }
    return files.settings().folder(ref);
  }

  /**
   * Downloads one model's weights under {@code prefix}, the first of: {@code base.VARIANT.safetensors}
   * and its sharded index (when a variant is asked for), {@code base.safetensors}, its sharded index
   * {@code base.safetensors.index.json} (then every shard it names), the fp16 and bf16 variants, and
   * PyTorch's {@code .bin} ({@code pytorch_model.bin} for transformers' {@code model}), as the local
   * loaders look for them.
   *
   * @throws StoreException when the repository has none of them
   */
  static void weights(HubRef ref, HubFiles files, String prefix, String base, String variant) {
    for (String name : WeightFiles.candidates(base, variant)) {
      Optional<Path> found = files.probe(ref, prefix + name);
      if (found.isPresent()) {
        if (WeightFiles.isIndex(name)) {
          shards(ref, files, prefix, found.get());
        }
        return;
      }
    }
    String bin = base.equals("model") ? "pytorch_model" : base;
    if (files.probe(ref, prefix + bin + ".bin").isPresent()) {
      return; // read by the restricted reader: tensors only
    }
    Optional<Path> binIndex = files.probe(ref, prefix + bin + ".bin.index.json");
    if (binIndex.isPresent()) {
      shards(ref, files, prefix, binIndex.get());
      return;
    }
    String variants = (variant != null && !List.of("fp16", "bf16").contains(variant) ? variant + ", " : "") + "fp16 or bf16";
    throw new StoreException(ref + " has no weights under " + (prefix.isEmpty() ? "its top folder" : prefix) + " ("
        + base + ".safetensors, a sharded, " + variants + " variant, or " + bin + ".bin)"
        + (files.settings().offline() ? " in the cache, and HF_HUB_OFFLINE is set" : ""));
  }

  /** Every shard a sharded checkpoint's index names (plain file names in the same folder). */
  private static void shards(HubRef ref, HubFiles files, String prefix, Path index) {
    for (String shard : WeightFiles.shardNames(index)) {
      if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
        throw new StoreException(ref + ": " + prefix + index.getFileName() + " names a shard outside its folder: " + shard);
      }
      files.require(ref, prefix + shard);
    }
  }
}
