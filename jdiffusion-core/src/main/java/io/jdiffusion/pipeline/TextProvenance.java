package io.jdiffusion.pipeline;

import io.jdiffusion.store.Json;
import io.jdiffusion.store.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a text-to-image PNG records about how it was made (PNG text chunks, as {@link Provenance} for the
 * other models): the prompt, the negative prompt, guidance, size, the sampler settings, the seed, and the
 * pipeline folder's digest.
 *
 * @param modelSha256 {@link #folderDigest} of the pipeline folder
 */
public record TextProvenance(String model, String modelSha256, PromptOptions prompt, int width, int height,
    SampleOptions options) {

  /**
   * SHA-256 over a pipeline folder's files (model_index.json and every file of the five component
   * folders, by relative path in sorted order: each path, then its own SHA-256): the same folder gives
   * the same digest wherever it lies.
   */
  public static String folderDigest(Path dir) {
    MessageDigest sha = Sha256.digest();
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> all = files.filter(Files::isRegularFile).map(dir::relativize)
          .filter(p -> p.getNameCount() == 1 ? p.toString().equals("model_index.json")
              : List.of("unet", "vae", "text_encoder", "tokenizer", "scheduler").contains(p.getName(0).toString()))
          .sorted().toList();
      for (Path p : all) {
        sha.update(p.toString().getBytes(StandardCharsets.UTF_8));
        sha.update(Sha256.hex(dir.resolve(p)).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot read (" + e.getMessage() + ")", e);
    }
    return Sha256.hex(sha);
  }

  /** The text chunks of image {@code i} (seed + i) or, with {@code i} &lt; 0, of a grid of {@code n}. */
  public Map<String, String> chunks(int i, int n) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model);
    json.put("model_sha256", modelSha256);
    json.put("prompt", prompt.prompt());
    json.put("negative_prompt", prompt.negativePrompt());
    json.put("guidance", prompt.guidance());
    if (prompt.guidanceRescale() != 0) {
      json.put("guidance_rescale", prompt.guidanceRescale());
    }
    if (prompt.clipSkip() != 0) {
      json.put("clip_skip", prompt.clipSkip());
    }
    json.put("width", width);
    json.put("height", height);
    json.putAll(options.toJson());
    json.remove("batch");
    if (i >= 0) {
      json.put("seed", options.seed() + i);
    }
    json.put("tool", "jdiffusion " + io.jdiffusion.util.ToolVersion.get());
    String seeds = i >= 0 ? "seed " + (options.seed() + i)
        : n == 1 ? "seed " + options.seed()
        : "seeds " + options.seed() + " .. " + (options.seed() + n - 1) + " (image i: seed + i, row by row)";
    Map<String, String> text = new LinkedHashMap<>();
    text.put("Description", prompt.prompt()
        + (prompt.negativePrompt() == null || prompt.negativePrompt().isEmpty() ? ""
            : "; negative: " + prompt.negativePrompt())
        + "; " + options.sampler().name() + ", " + options.steps() + " steps, guidance " + prompt.guidance() + ", "
        + width + "x" + height + ", " + seeds + "; model " + model + " (sha256 " + modelSha256.substring(0, 12) + ")");
    text.put("jdiffusion", Json.compact(json));
    return text;
  }
}
