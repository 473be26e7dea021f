package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The weights of a text_encoder/ folder as transformers' {@code save_pretrained} writes them:
 * {@code model.safetensors}, or sharded with {@code model.safetensors.index.json}, or a variant
 * ({@code model.fp16.safetensors}, {@code model.safetensors.index.fp16.json}; bf16 alike), in F32, F16
 * or BF16, copied into float32 parameters of the same names with no renaming.
 *
 * <p>Loading is strict: every stored tensor must be a parameter and every parameter stored, with the
 * same shape; the one exception is {@value #POSITION_IDS}, the int64 buffer transformers before 4.31
 * saved (Stable Diffusion 1.x's published encoders hold it), which is skipped. Shards are read and
 * copied one at a time, so the Java heap holds one shard's float32 values at a time.
 */
public final class ClipTextWeights {
  /** The non-parameter buffer that older files hold and loading skips. */
  public static final String POSITION_IDS = "text_model.embeddings.position_ids";

  private ClipTextWeights() {}

  /** Whether {@code dir} holds the weights of {@code variant} ("fp16", "bf16"), single or sharded. */
  public static boolean hasVariant(Path dir, String variant) {
    return Files.isRegularFile(dir.resolve(single(variant))) || Files.isRegularFile(dir.resolve(index(variant)));
  }

  private static String single(String variant) {
    return variant == null ? "model.safetensors" : "model." + variant + ".safetensors";
  }

  private static String index(String variant) {
    return variant == null ? "model.safetensors.index.json" : "model.safetensors.index." + variant + ".json";
  }

  /**
   * The weight files of {@code dir}, in shard order.
   *
   * @param variant null: model.safetensors or its index, else the first of the fp16 and bf16 variants
   *     present; "fp16", "bf16" (or any name): that variant only
   * @throws StoreException naming the folder and what it lacks (PyTorch's pytorch_model.bin, or its shards,
   *     come last)
   */
  public static List<Path> files(Path dir, String variant) {
    List<String> variants = variant == null ? Arrays.asList(null, "fp16", "bf16") : List.of(variant);
    for (String v : variants) {
      Path single = dir.resolve(single(v));
      if (Files.isRegularFile(single)) {
        return List.of(single);
      }
      Path index = dir.resolve(index(v));
      if (Files.isRegularFile(index)) {
        return io.jdiffusion.store.WeightFiles.shards(dir, index);
      }
    }
    if (variant == null) { // PyTorch's weights, read by the restricted reader (tensors only)
      if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
        return List.of(dir.resolve("pytorch_model.bin"));
      }
      if (Files.isRegularFile(dir.resolve("pytorch_model.bin.index.json"))) {
        return io.jdiffusion.store.WeightFiles.shards(dir, dir.resolve("pytorch_model.bin.index.json"));
      }
    }
    throw new StoreException(dir + ": no " + (variant == null ? "model.safetensors (nor an fp16 or bf16 variant)"
        : "model." + variant + ".safetensors"));
  }

  /**
   * Copies the tensors of {@code files} into {@code params} (float32, on their device).
   *
   * @throws StoreException one line naming the missing and the unexpected tensors, or a shape mismatch
   */
  public static void copyInto(List<Path> files, Map<String, Tensor> params) {
    Set<String> missing = new LinkedHashSet<>(params.keySet());
    Set<String> unexpected = new LinkedHashSet<>();
    for (Path file : files) {
      io.jdiffusion.nn.NativeWeights.each(file, POSITION_IDS::equals, (name, stored) -> {
        Tensor p = params.get(name);
        if (p == null) {
          unexpected.add(name);
          return;
        }
        long[] shape = Torch.shape(p);
        if (!Arrays.equals(shape, Torch.shape(stored))) {
          throw new StoreException(file + ": tensor " + name + " has shape " + Arrays.toString(Torch.shape(stored))
              + ", the config gives " + Arrays.toString(shape));
        }
        if (!missing.remove(name)) {
          throw new StoreException(file + ": tensor " + name + " is stored twice");
        }
        try (NoGradGuard ng = new NoGradGuard()) {
          p.copy_(stored);
        }
      });
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      String where = files.size() == 1 ? files.get(0).toString() : files.get(0).getParent() + " (" + files.size() + " shards)";
      throw new StoreException(where + ": the weights do not match the config:"
          + (missing.isEmpty() ? "" : " missing " + few(missing))
          + (missing.isEmpty() || unexpected.isEmpty() ? "" : ";")
          + (unexpected.isEmpty() ? "" : " unexpected " + few(unexpected)));
    }
  }

  private static String few(Set<String> names) {
    List<String> l = new ArrayList<>(names);
    return String.join(", ", l.subList(0, Math.min(4, l.size()))) + (l.size() > 4 ? " and " + (l.size() - 4) + " more" : "");
  }
}
