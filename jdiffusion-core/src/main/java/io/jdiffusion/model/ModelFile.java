package io.jdiffusion.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The one codec of this project's model files, below training and sampling: weights files
 * ({@value #WEIGHTS}) and checkpoints ({@value #CHECKPOINT}) are safetensors files whose metadata
 * holds the format, the {@link ModelSpec} ("model") and the class names; a checkpoint adds its
 * training state, which only {@code train} reads. The checksum covers the whole file
 * ({@link Safetensors}).
 *
 * <p>Readers accept every version: version 1 files kept the architecture in "unet", "schedule" and
 * "prediction" (weights) or inside the whole training configuration "config" (checkpoints), with a
 * checksum of the data only. Specs are read tolerantly: unknown fields are ignored and missing ones
 * defaulted, each with a warning. Writers write the current version only.
 */
public final class ModelFile {
  /** Weights files, version 2. */
  public static final String WEIGHTS = "jdiffusion-weights-2";
  /** Checkpoints, version 2. */
  public static final String CHECKPOINT = "jdiffusion-checkpoint-2";
  static final String WEIGHTS_V1 = "jdiffusion-weights-1";
  static final String CHECKPOINT_V1 = "jdiffusion-checkpoint-1";
  /** Metadata key of the {@link ModelSpec}. */
  public static final String MODEL_KEY = "model";
  /** Metadata key of the class names (a JSON list, label order). */
  public static final String CLASS_NAMES_KEY = "class_names";
  /** Metadata key of the {@link SamplingDefaults}. */
  public static final String SAMPLING_KEY = "sampling";

  private ModelFile() {}

  /** The metadata that describes a model in a file of {@code format}. */
  public static Map<String, String> metadata(String format, ModelSpec spec, List<String> classNames) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", format);
    meta.put(MODEL_KEY, Json.write(spec));
    if (!classNames.isEmpty()) {
      meta.put(CLASS_NAMES_KEY, Json.write(classNames));
    }
    return meta;
  }

  /** {@link #metadata(String, ModelSpec, List)} with the model's sampling defaults. */
  public static Map<String, String> metadata(String format, ModelSpec spec, List<String> classNames,
      SamplingDefaults sampling) {
    Map<String, String> meta = metadata(format, spec, classNames);
    meta.put(SAMPLING_KEY, Json.write(sampling));
    return meta;
  }

  /**
   * The sampling defaults a file stores, if any; a description that does not parse is reported to
   * {@code warn} and ignored (the caller's defaults apply), as other parts of a spec are read tolerantly.
   */
  public static java.util.Optional<SamplingDefaults> samplingDefaults(Map<String, String> metadata, String file,
      Consumer<String> warn) {
    String json = metadata.get(SAMPLING_KEY);
    if (json == null) {
      return java.util.Optional.empty();
    }
    try {
      return SamplingDefaults.read(Json.mapper().readTree(json), file, warn);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      warn.accept("warning: " + file + ": sampling defaults ignored (" + e.getOriginalMessage() + ")");
      return java.util.Optional.empty();
    }
  }

  /** Whether the file is a checkpoint (of any version). */
  public static boolean isCheckpoint(Safetensors.Contents c) {
    String f = c.metadata().getOrDefault("format", "");
    return f.equals(CHECKPOINT) || f.equals(CHECKPOINT_V1);
  }

  /** Whether the file is a weights file (of any version). */
  public static boolean isWeights(Safetensors.Contents c) {
    String f = c.metadata().getOrDefault("format", "");
    return f.equals(WEIGHTS) || f.equals(WEIGHTS_V1);
  }

  /**
   * The model a weights file or checkpoint describes, any version.
   *
   * @throws StoreException when the file is neither, or its spec cannot be read
   */
  public static ModelSpec spec(Safetensors.Contents c, String file, Consumer<String> warn) {
    Map<String, String> m = c.metadata();
    String format = m.getOrDefault("format", "");
    String json;
    try {
      if (format.equals(WEIGHTS) || format.equals(CHECKPOINT)) {
        json = required(m, MODEL_KEY, file);
      } else if (format.equals(WEIGHTS_V1)) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("unet", Json.mapper().readTree(required(m, "unet", file)));
        o.set("schedule", Json.mapper().readTree(required(m, "schedule", file)));
        o.put("prediction", required(m, "prediction", file));
        json = o.toString();
      } else if (format.equals(CHECKPOINT_V1)) {
        JsonNode cfg = Json.mapper().readTree(required(m, "config", file));
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("unet", cfg.get("model"));
        o.set("schedule", cfg.get("schedule"));
        o.set("prediction", cfg.get("prediction"));
        json = o.toString();
      } else {
        throw new StoreException(file + ": not a jdiffusion checkpoint or weights file (format '" + format + "')");
      }
      return Json.readTolerant(json, ModelSpec.defaults(), ModelSpec.class, file + ": model",
          io.jdiffusion.nn.UNetConfig.addedLater("unet."), warn);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      throw new StoreException(file + ": unreadable model description (" + e.getMessage() + ")");
    }
  }

  private static String required(Map<String, String> m, String key, String file) {
    String v = m.get(key);
    if (v == null) {
      throw new StoreException(file + ": no '" + key + "' in the metadata");
    }
    return v;
  }

  /** The class names stored in a file's metadata, or an empty list. */
  public static List<String> classNames(Map<String, String> metadata, String file) {
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

  /** The float32 entries of live tensors, names prefixed. */
  public static Map<String, Safetensors.Entry> entries(String prefix, Map<String, Tensor> tensors) {
    Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      for (var e : tensors.entrySet()) {
        out.put(prefix + e.getKey(), new Safetensors.Entry(Torch.shape(e.getValue()), Torch.toFloats(e.getValue())));
      }
    }
    return out;
  }

  /**
   * Copies the stored tensors named {@code prefix + name} into the live tensors, checking names and
   * shapes both ways: a tensor the model lacks and a stored tensor with the prefix that the model does
   * not use are both errors (a file whose architecture says less than its tensors is not trusted).
   */
  public static void copyInto(Map<String, Safetensors.Entry> stored, String prefix, Map<String, Tensor> into) {
    List<String> unused = new ArrayList<>();
    for (String k : stored.keySet()) {
      if (k.startsWith(prefix) && !into.containsKey(k.substring(prefix.length()))) {
        unused.add(k);
      }
    }
    if (!unused.isEmpty()) {
      throw new StoreException("stored tensor" + (unused.size() == 1 ? " " : "s ")
          + String.join(", ", unused.subList(0, Math.min(3, unused.size()))) + (unused.size() > 3 ? ", ..." : "")
          + " not used by the model the file describes");
    }
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      for (var e : into.entrySet()) {
        Safetensors.Entry s = stored.get(prefix + e.getKey());
        if (s == null) {
          throw new StoreException("stored weights lack tensor " + prefix + e.getKey());
        }
        long[] shape = Torch.shape(e.getValue());
        if (!Arrays.equals(shape, s.shape())) {
          throw new StoreException("tensor " + prefix + e.getKey() + " has shape " + Arrays.toString(s.shape())
              + ", the model expects " + Arrays.toString(shape));
        }
        e.getValue().copy_(Torch.tensor(s.values(), shape));
      }
    }
  }
}
