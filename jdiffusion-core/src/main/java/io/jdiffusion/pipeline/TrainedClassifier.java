package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Classifier;
import io.jdiffusion.nn.ClassifierConfig;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.model.ModelFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;

/**
 * A trained {@link Classifier} with what describes it: its name (printed with every metric), the
 * dataset it learned and its held-out accuracy. Stored as one safetensors file (format {@value
 * #FORMAT}): the weights, the {@link ClassifierConfig} and free-form string metadata.
 */
public record TrainedClassifier(Classifier net, String name, Map<String, String> metadata) {
  public static final String FORMAT = "jdiffusion-classifier-2";
  /** The first version (a checksum of the data only), still read: the bundled classifiers are in it. */
  static final String FORMAT_V1 = "jdiffusion-classifier-1";

  public ClassifierConfig config() {
    return net.config();
  }

  /**
   * Writes the weights (bfloat16 when {@code bf16}) with {@code metadata} plus format, name and
   * config.
   */
  public static void save(Path file, Classifier net, String name, Map<String, String> metadata, boolean bf16)
      throws IOException {
    Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      for (var e : net.parameters().entrySet()) {
        t.put(e.getKey(), new Safetensors.Entry(Torch.shape(e.getValue()), Torch.toFloats(e.getValue())));
      }
    }
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("format", FORMAT);
    meta.put("name", name);
    meta.put("classifier", Json.write(net.config()));
    Safetensors.write(file, t, meta, bf16);
  }

  /** Loads a classifier file written by {@link #save}. */
  public static TrainedClassifier load(Path file) {
    return of(Safetensors.read(file), file.toString());
  }

  /** Loads a classifier stored as a classpath resource; empty when there is none. */
  public static java.util.Optional<TrainedClassifier> loadResource(String resource) {
    try (InputStream in = TrainedClassifier.class.getResourceAsStream(resource)) {
      if (in == null) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(of(Safetensors.read(in.readAllBytes(), "classpath:" + resource), "classpath:" + resource));
    } catch (IOException e) {
      throw new StoreException("classpath:" + resource + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static TrainedClassifier of(Safetensors.Contents c, String where) {
    String format = c.metadata().get("format");
    if (!FORMAT.equals(format) && !FORMAT_V1.equals(format)) {
      throw new StoreException(where + ": not a jdiffusion classifier (format " + c.metadata().get("format") + ")");
    }
    ClassifierConfig cfg = Json.read(c.metadata().get("classifier"), ClassifierConfig.class);
    Classifier net = new Classifier(cfg);
    ModelFile.copyInto(c.tensors(), "", net.parameters());
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());
    return new TrainedClassifier(net, meta.get("name"), meta);
  }
}
