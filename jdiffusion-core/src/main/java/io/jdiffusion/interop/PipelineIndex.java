package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A diffusers text-to-image pipeline folder's {@code model_index.json}, as {@code
 * DiffusionPipeline.save_pretrained} writes it: the pipeline class and each component's folder with its
 * {@code [library, class]} (diffusers' {@code pipeline_utils.py} / {@code pipeline_loading_utils.py}).
 *
 * <p>The Stable Diffusion family reads five components: {@code unet} (UNet2DConditionModel),
 * {@code vae} (AutoencoderKL), {@code text_encoder} (CLIPTextModel), {@code tokenizer}
 * (CLIPTokenizer or CLIPTokenizerFast: both are read from the same files) and {@code scheduler}
 * (any class {@link DiffusersScheduler} reads). {@code safety_checker}, {@code feature_extractor} and
 * {@code image_encoder} are skipped with a note; a component of another class, or a pipeline class of
 * another family (SDXL, SD3, Flux, ...), is refused by name.
 *
 * @param pipelineClass the {@code _class_name}
 * @param components component name to {@code [library, class]}, for the five read components
 */
public record PipelineIndex(Path dir, String pipelineClass, Map<String, List<String>> components) {
  /** The pipeline classes of the Stable Diffusion family: one folder layout, text-to-image and the edits. */
  public static final Set<String> PIPELINES = Set.of("StableDiffusionPipeline", "StableDiffusionImg2ImgPipeline",
      "StableDiffusionInpaintPipeline", "AutoPipelineForText2Image", "AutoPipelineForImage2Image",
      "AutoPipelineForInpainting");

  /** The class each read component must have (any of them). */
  static final Map<String, Set<String>> CLASSES = Map.of(
      "unet", Set.of("UNet2DConditionModel"),
      "vae", Set.of("AutoencoderKL"),
      "text_encoder", Set.of("CLIPTextModel"),
      "tokenizer", Set.of("CLIPTokenizer", "CLIPTokenizerFast"),
      "scheduler", Set.copyOf(DiffusersScheduler.CLASSES));

  /** Components a pipeline folder may carry that a Java pipeline does not run. */
  static final Set<String> SKIPPED = Set.of("safety_checker", "feature_extractor", "image_encoder");

  /** Whether {@code dir} holds a model_index.json naming a text encoder: a text-to-image pipeline folder. */
  public static boolean isTextToImage(Path dir) {
    Path f = dir.resolve("model_index.json");
    if (!Files.isRegularFile(f)) {
      return false;
    }
    try {
      return Json.mapper().readTree(Files.readString(f)).has("text_encoder");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Reads and checks {@code dir/model_index.json}: a Stable Diffusion family pipeline with its five
   * components present as folders.
   *
   * @throws StoreException naming the file and what is wrong, in one line
   */
  public static PipelineIndex read(Path dir, Consumer<String> note) {
    Path file = dir.resolve("model_index.json");
    JsonNode root;
    try {
      root = Json.mapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new StoreException(file + ": unreadable (" + e.getMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    String cls = root.path("_class_name").asText("");
    if (!PIPELINES.contains(cls)) {
      throw new StoreException(file + ": pipeline class '" + cls + "' is not supported (supported: "
          + String.join(", ", new java.util.TreeSet<>(PIPELINES)) + ")");
    }
    Map<String, List<String>> components = new LinkedHashMap<>();
    for (String name : List.of("unet", "vae", "text_encoder", "tokenizer", "scheduler")) {
      JsonNode entry = root.get(name);
      if (entry == null || !entry.isArray() || entry.size() != 2 || entry.get(1).isNull()) {
        throw new StoreException(file + ": no " + name + " component (a " + cls + " folder has unet, vae, "
            + "text_encoder, tokenizer and scheduler)");
      }
      String library = entry.get(0).asText("");
      String className = entry.get(1).asText("");
      if (!CLASSES.get(name).contains(className)) {
        throw new StoreException(file + ": " + name + " of class " + className + " is not supported (supported: "
            + String.join(", ", new java.util.TreeSet<>(CLASSES.get(name))) + ")");
      }
      if (!Files.isDirectory(dir.resolve(name))) {
        throw new StoreException(dir + ": the " + name + "/ folder that model_index.json names is missing");
      }
      components.put(name, List.of(library, className));
    }
    for (var it = root.fields(); it.hasNext(); ) {
      var e = it.next();
      String name = e.getKey();
      if (name.startsWith("_") || components.containsKey(name) || !e.getValue().isArray()) {
        continue; // _class_name, _diffusers_version; flags such as requires_safety_checker
      }
      boolean empty = e.getValue().size() == 2 && e.getValue().get(1).isNull();
      if (empty) {
        continue;
      }
      if (SKIPPED.contains(name)) {
        note.accept("note: " + dir + ": " + name + " (" + e.getValue().get(1).asText() + ") is not run by jdiffusion");
      } else {
        throw new StoreException(file + ": component " + name + " (" + e.getValue().get(1).asText("?")
            + ") is not supported by a " + cls + " here");
      }
    }
    return new PipelineIndex(dir, cls, Map.copyOf(components));
  }
}
