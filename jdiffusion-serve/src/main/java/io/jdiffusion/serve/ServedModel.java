package io.jdiffusion.serve;

import io.jdiffusion.nn.vae.LatentDecoder;
import io.jdiffusion.pipeline.PromptOptions;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.StableDiffusion;
import io.jdiffusion.pipeline.TextProvenance;
import io.jdiffusion.pipeline.TextToImage;
import io.jdiffusion.pipeline.TrainedModel;
import java.nio.file.Path;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model the server keeps loaded, under the name requests use for it: a pixel-space model, or a
 * text-to-image pipeline folder. The networks are shared by every request: sampling only reads their
 * weights, in inference mode.
 *
 * @param name what requests call it (a shipped model's name, or the file or folder name of a path)
 * @param model the loaded network, schedule and classes; null for a text-to-image pipeline
 * @param text the loaded text-to-image pipeline; null for a pixel-space model
 * @param sha256 the weights' digest ({@link io.jdiffusion.pipeline.Provenance#weightsDigest}) or the pipeline
 *     folder's ({@link TextProvenance#folderDigest})
 * @param previewDecoder the fast decoder of a pipeline's progress previews (shared, not owned), or null
 */
public record ServedModel(String name, TrainedModel model, StableDiffusion text, String sha256,
    LatentDecoder previewDecoder) {
  /** A served pixel-space model. */
  public ServedModel(String name, TrainedModel model) {
    this(name, model, null, io.jdiffusion.pipeline.Provenance.weightsDigest(model), null);
  }

  /** A served text-to-image pipeline, loaded from {@code dir}, with its previews' decoder (or null). */
  public static ServedModel text(String name, Path dir, StableDiffusion sd, LatentDecoder previewDecoder) {
    return new ServedModel(name, null, sd, TextProvenance.folderDigest(dir), previewDecoder);
  }

  /** Whether requests give it a prompt. */
  public boolean takesPrompt() {
    return text != null;
  }

  /** What {@code GET /api/models} says about the model: its shape, classes and samplers with their defaults. */
  public Map<String, Object> describe() {
    if (text != null) {
      return describeText();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("kind", "pixel");
    m.put("imageSize", model.config().imageSize());
    m.put("channels", model.config().inChannels());
    m.put("conditional", model.config().numClasses() > 0);
    m.put("classes", model.classNames().isEmpty() && model.config().numClasses() > 0
        ? indices(model.config().numClasses()) : model.classNames());
    m.put("timesteps", model.schedule().steps());
    m.put("prediction", model.prediction().name().toLowerCase(Locale.ROOT));
    m.put("defaultSampler", model.sampling().sampler().name());
    m.put("samplers", samplers(sampler -> SampleOptions.defaultsFor(model, sampler)));
    return m;
  }

  /** A pipeline's size, default steps and guidance, and the samplers its scheduler can be swapped for. */
  private Map<String, Object> describeText() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("kind", "text-to-image");
    m.put("imageSize", text.defaultSize());
    m.put("sizeMultiple", text.vaeScaleFactor());
    m.put("channels", 3);
    m.put("conditional", false);
    m.put("classes", List.of());
    m.put("timesteps", text.scheduler().schedule().steps());
    m.put("prediction", text.scheduler().prediction().name().toLowerCase(Locale.ROOT));
    m.put("defaultGuidance", PromptOptions.DEFAULT_GUIDANCE);
    m.put("previews", previewDecoder != null);
    SampleOptions folder = TextToImage.defaults(text);
    m.put("defaultSampler", folder.sampler().name());
    m.put("samplers", samplers(sampler -> sampler.name().equals(folder.sampler().name()) ? folder
        : TextToImage.defaults(text, sampler)));
    return m;
  }

  /** Every sampler with the steps (and eta) it defaults to for this model, as {@code defaults} gives them. */
  private static List<Map<String, Object>> samplers(java.util.function.Function<Sampler, SampleOptions> defaults) {
    List<Map<String, Object>> samplers = new ArrayList<>();
    for (Sampler s : Samplers.all()) {
      SampleOptions o = defaults.apply(s);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("name", s.name());
      d.put("defaultSteps", o.steps());
      d.put("usesEta", s.usesEta());
      if (s.usesEta()) {
        d.put("defaultEta", o.eta());
      }
      samplers.add(d);
    }
    return samplers;
  }

  /** Frees the networks. */
  void close() {
    if (text != null) {
      text.close();
    } else {
      model.net().close();
    }
  }

  private static List<String> indices(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Integer.toString(i));
    }
    return out;
  }
}
