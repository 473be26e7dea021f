package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Sha256;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Where generated images came from, written into every PNG as text chunks: the model as it was named
 * and the SHA-256 of its weights, the sampler and its settings, the class and guidance, and each
 * image's seed (image i of a run is seed + i). Reading a picture's chunks is enough to make it again.
 *
 * @param model the model as the user named it (shipped name, run directory or file)
 * @param modelSha256 {@link #weightsDigest} of the model
 * @param options the sampler settings (their seed is image 0's)
 * @param className the class generated, or null (unconditional)
 * @param guidance the classifier-free guidance weight, or null without a class
 */
public record Provenance(String model, String modelSha256, SampleOptions options, String className, Double guidance) {
  /** The provenance of images generated from {@code m}, named {@code model}, with {@code options}. */
  public static Provenance of(String model, TrainedModel m, SampleOptions options, Integer classIndex, double guidance) {
    String name = classIndex == null ? null
        : classIndex < m.classNames().size() ? m.classNames().get(classIndex) : Integer.toString(classIndex);
    return new Provenance(model, weightsDigest(m), options, name, classIndex == null ? null : guidance);
  }

  /**
   * SHA-256 over the model's parameters (each name, then its float32 values, little-endian, in the
   * model's order): the same weights give the same digest whatever file they came from.
   */
  public static String weightsDigest(TrainedModel m) {
    MessageDigest sha = Sha256.digest();
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Map.Entry<String, Tensor> e : m.net().parameters().entrySet()) {
      sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      float[] v;
      try (PointerScope scope = new PointerScope()) { // the float copy's tensors are freed here
        v = Torch.toFloats(e.getValue());
      }
      for (int i = 0; i < v.length; i += b.capacity() / Float.BYTES) { // in chunks: no int overflow
        int count = Math.min(b.capacity() / Float.BYTES, v.length - i);
        b.clear();
        b.asFloatBuffer().put(v, i, count);
        sha.update(b.array(), 0, count * Float.BYTES);
      }
    }
    return Sha256.hex(sha);
  }

  /** The text chunks of a grid of images 0 .. n-1. */
  public Map<String, String> grid(int n) {
    return chunks(n == 1 ? "seed " + options.seed()
        : "seeds " + options.seed() + " .. " + (options.seed() + n - 1) + " (image i: seed + i, row by row)", null);
  }

  /** The text chunks of image {@code i} alone (its seed: seed + i). */
  public Map<String, String> image(int i) {
    long seed = options.seed() + i;
    return chunks("seed " + seed, seed);
  }

  private Map<String, String> chunks(String seeds, Long seed) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model);
    json.put("model_sha256", modelSha256);
    json.putAll(options.toJson());
    json.remove("batch"); // no effect on the images
    if (seed != null) {
      json.put("seed", seed);
    }
    json.put("class", className);
    json.put("guidance", guidance);
    json.put("tool", "jdiffusion " + io.jdiffusion.util.ToolVersion.get());
    Map<String, String> text = new LinkedHashMap<>();
    text.put("Description", options.sampler().name() + ", " + options.steps() + " steps"
        + (options.sampler().usesEta() ? ", eta " + options.eta() : "")
        + (className != null ? ", class " + className + ", guidance " + guidance : "") + ", " + seeds
        + "; model " + model + " (weights sha256 " + modelSha256.substring(0, 12) + ")");
    text.put("jdiffusion", Json.compact(json));
    return text;
  }
}
