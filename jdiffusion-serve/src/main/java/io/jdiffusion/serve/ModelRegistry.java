package io.jdiffusion.serve;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.Pretrained;
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
  private final Map<String, ServedModel> models = new LinkedHashMap<>();

  /**
   * Loads every model once (shipped names, run directories, checkpoints, weights files, as the
   * command line resolves them).
   *
   * @throws IllegalArgumentException when two specs would get the same name
   */
  public static ModelRegistry load(List<String> specs) {
    Torch.init();
    ModelRegistry r = new ModelRegistry();
    try {
      for (String spec : specs) {
        String name = nameOf(spec);
        if (r.models.containsKey(name)) {
          throw new IllegalArgumentException("two models would be served as '" + name + "' (" + spec + "); "
              + "give each model a different file or folder name");
        }
        r.models.put(name, new ServedModel(name, TrainedModel.resolve(spec, true)));
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
    models.values().forEach(m -> m.model().net().close());
    models.clear();
  }
}
