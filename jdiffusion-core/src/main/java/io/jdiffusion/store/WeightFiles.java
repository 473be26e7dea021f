package io.jdiffusion.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One weights file of a diffusers or transformers folder, whatever its kind: safetensors ({@link
 * ForeignSafetensors}), or PyTorch's {@code .bin} ({@link TorchPickle}: tensors only, nothing run).
 */
public final class WeightFiles {
  private WeightFiles() {}

  /** The float32 tensors of {@code file} by name, without those {@code skip} names. */
  public static Map<String, Safetensors.Entry> read(Path file, Predicate<String> skip) {
    return file.getFileName().toString().endsWith(".bin") ? TorchPickle.read(file, skip)
        : ForeignSafetensors.read(file, skip).tensors();
  }

  /**
   * The float32 tensors of {@code file}, without those {@code skip} names, handed to {@code consumer} one
   * at a time (safetensors: read one by one, so a loader holds one tensor's values at once; .bin: read
   * whole, then handed over).
   */
  public static void each(Path file, Predicate<String> skip, java.util.function.BiConsumer<String, Safetensors.Entry> consumer) {
    if (file.getFileName().toString().endsWith(".bin")) {
      TorchPickle.read(file, skip).forEach(consumer);
    } else {
      ForeignSafetensors.each(file, skip, consumer);
    }
  }

  /**
   * The safetensors names a model's weights may have, in the order the loaders prefer them (and the Hub
   * client fetches them): for the variant asked for (if any), then none, then fp16, then bf16, the single
   * file {@code base[.VARIANT].safetensors} and then the sharded index
   * {@code base.safetensors.index[.VARIANT].json}.
   */
  public static List<String> candidates(String base, String variant) {
    List<String> order = new ArrayList<>();
    if (variant != null) {
      order.add(variant);
    }
    for (String v : List.of("", "fp16", "bf16")) {
      if (!order.contains(v)) {
        order.add(v);
      }
    }
    List<String> names = new ArrayList<>();
    for (String v : order) {
      String dot = v.isEmpty() ? "" : "." + v;
      names.add(base + dot + ".safetensors");
      names.add(base + ".safetensors.index" + dot + ".json");
    }
    return names;
  }

  /** Whether a name of {@link #candidates} is a sharded checkpoint's index. */
  public static boolean isIndex(String name) {
    return name.endsWith(".json");
  }

  /**
   * The shard files a sharded checkpoint's {@code *.index.json} names in its weight_map, in name order;
   * each must be a plain file name inside {@code dir}, and present.
   *
   * @throws StoreException naming the index and the problem in one line
   */
  public static List<Path> shards(Path dir, Path index) {
    List<Path> out = new ArrayList<>();
    for (String shard : shardNames(index)) {
      Path p = dir.resolve(shard).normalize();
      if (shard.contains("/") || shard.contains("\\") || !p.startsWith(dir.normalize())) {
        throw new StoreException(index + ": shard name " + shard + " leaves the folder");
      }
      if (!Files.isRegularFile(p)) {
        throw new StoreException(index + ": shard " + shard + " is missing");
      }
      out.add(p);
    }
    return out;
  }

  /**
   * The shard names a sharded checkpoint's {@code *.index.json} gives in its weight_map, in name order, as
   * written (the caller checks that each is a plain file name of the index's folder).
   *
   * @throws StoreException naming the index and the problem in one line
   */
  public static Set<String> shardNames(Path index) {
    JsonNode map;
    try {
      map = Json.mapper().readTree(Files.readString(index, StandardCharsets.UTF_8)).path("weight_map");
    } catch (IOException e) {
      throw new StoreException(index + ": unreadable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (!map.isObject() || map.isEmpty()) {
      throw new StoreException(index + ": no weight_map");
    }
    Set<String> names = new TreeSet<>();
    map.fields().forEachRemaining(e -> names.add(e.getValue().asText()));
    return names;
  }

}
