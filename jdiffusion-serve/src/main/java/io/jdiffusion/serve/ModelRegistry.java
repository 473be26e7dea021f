package io.jdiffusion.serve;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.vae.AutoencoderTiny;
import io.jdiffusion.pipeline.Pretrained;
import io.jdiffusion.pipeline.StableDiffusion;
import io.jdiffusion.pipeline.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a server loaded at start, by name. Requests name a model, never a path: what can be
 * served is decided on the command line only.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelRegistry.class);
  private final Map<String, ServedModel> models = new LinkedHashMap<>();
  private AutoencoderTiny preview; // shared by the text-to-image pipelines; null: none

  /**
   * Loads every model once (shipped names, run directories, checkpoints, weights files, as the
   * command line resolves them; text-to-image pipeline folders).
   *
   * @throws IllegalArgumentException when two specs would get the same name
   */
  public static ModelRegistry load(List<String> specs) {
    return load(specs, null);
  }

  /**
   * {@link #load(List)}, with an AutoencoderTiny (TAESD) folder that draws the previews of every
   * text-to-image pipeline (null: none).
   *
   * @throws IllegalArgumentException when two specs would get the same name, or the preview decoder does
   *     not load
   */
  public static ModelRegistry load(List<String> specs, String previewDecoder) {
    Torch.init();
    ModelRegistry r = new ModelRegistry();
    try {
      if (previewDecoder != null) {
        r.preview = AutoencoderTiny.load(Path.of(previewDecoder));
      }
      for (String spec : specs) {
        String name = nameOf(spec);
        if (r.models.containsKey(name)) {
          throw new IllegalArgumentException("two models would be served as '" + name + "' (" + spec + "); "
              + "give each model a different file or folder name");
        }
        if (StableDiffusion.isPipeline(spec, LOG::warn)) {
          Path dir = StableDiffusion.folder(spec, null, LOG::warn);
          r.models.put(name, ServedModel.text(name, dir, StableDiffusion.load(dir, null, LOG::warn), r.preview));
        } else {
          r.models.put(name, new ServedModel(name, TrainedModel.resolve(spec, true)));
        }
      }
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** The name requests use: a shipped model's id, else the last path element without .safetensors. */
  static String nameOf(String spec) {
    Pretrained shipped = Pretrained.byId(spec);
    if (shipped != null && !Files.exists(Path.of(spec))) {
      return shipped.id;
    }
    Path file = Path.of(spec).toAbsolutePath().normalize().getFileName();
    String name = file == null ? spec : file.toString();
    return name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
  }

  /**
   * The model called {@code name}, or the default (the first) when null.
   *
   * @throws ApiError 404 for a name that is not served
   */
  public ServedModel get(String name) {
    if (name == null) {
      return models.values().iterator().next();
    }
    ServedModel m = models.get(name);
    if (m == null) {
      throw ApiError.notFound("unknown model '" + name + "' (served: " + String.join(", ", models.keySet()) + ")");
    }
    return m;
  }

  /** Every served model, the default first. */
  public List<ServedModel> all() {
    return new ArrayList<>(models.values());
  }

  @Override
  public void close() {
    models.values().forEach(ServedModel::close);
    models.clear();
    if (preview != null) {
      preview.close();
      preview = null;
    }
  }
}
