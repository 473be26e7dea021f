package io.jdiffusion.serve;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.PromptOptions;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.StableDiffusion;
import io.jdiffusion.pipeline.TextToImage;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.util.Collections;
import java.util.Map;

/**
 * {@code POST /api/generate} on a text-to-image pipeline: n images of a prompt, as {@code jdiffusion
 * sample FOLDER --prompt} draws them (image i from seed + i, the same pixels). Fields: model, prompt
 * (default empty), negative_prompt, guidance (default 7.5), width and height (default the pipeline's
 * size; multiples of its VAE's scale; width x height at most the server's image-pixel limit), n,
 * sampler (default the folder's scheduler), steps (default 50), eta, clip_skip, guidance_rescale,
 * precision, seed.
 */
record TextGenerateTask(ServedModel model, int n, PromptOptions prompt, SampleOptions options,
    Map<String, Object> provenance) implements Task {

  static TextGenerateTask parse(Fields f, ServedModel sm, ServeConfig config) {
    StableDiffusion sd = sm.text();
    int n = Requests.count(f, "n", 1, 1, config);
    String text = f.string("prompt");
    String negative = f.string("negative_prompt");
    Double guidance = f.number("guidance");
    int scale = sd.vaeScaleFactor();
    int width = f.integer("width", sd.defaultSize(), scale, 1 << 14);
    int height = f.integer("height", sd.defaultSize(), scale, 1 << 14);
    if (width % scale != 0 || height % scale != 0) {
      throw ApiError.badRequest("width and height must be multiples of " + scale + ", got " + width + "x" + height);
    }
    if ((long) width * height > config.maxImagePixels()) {
      throw ApiError.badRequest(width + "x" + height + " is more than this server's limit of " + config.maxImagePixels()
          + " pixels per image");
    }
    Integer clipSkip = f.integer("clip_skip", 0, 64);
    Double rescale = f.number("guidance_rescale");
    PromptOptions p = new PromptOptions(text == null ? "" : text, negative,
        guidance == null ? PromptOptions.DEFAULT_GUIDANCE : guidance, width, height, clipSkip == null ? 0 : clipSkip,
        rescale == null ? 0 : rescale);
    String sampler = f.text("sampler");
    SampleOptions base = sampler == null ? TextToImage.defaults(sd) : TextToImage.defaults(sd, Samplers.byName(sampler));
    SampleOptions.Builder b = base.toBuilder().batch(1).seed(f.longInteger("seed", 0))
        .precision(Precision.parse(f.text("precision") == null ? "fp32" : f.text("precision")));
    Integer steps = f.integer("steps", 1, config.maxSteps());
    if (steps != null) {
      b.steps(steps);
    }
    Double eta = f.number("eta");
    if (eta != null) {
      if (!base.sampler().usesEta()) {
        throw ApiError.badRequest("eta does not apply to " + base.sampler().name());
      }
      b.eta(eta);
    }
    SampleOptions o = b.build();
    o.checkAgainst(sd.scheduler().schedule().build());
    return new TextGenerateTask(sm, n, p, o, provenance(sm, p, o, config));
  }

  /**
   * What every result records: the sampler settings, seed and version as every generate result records
   * them ({@link Requests#provenance}; no class), then the prompt and size as the command line's PNGs do.
   */
  private static Map<String, Object> provenance(ServedModel sm, PromptOptions p, SampleOptions o, ServeConfig config) {
    Map<String, Object> m = Requests.provenance("generate", sm, o, null, config);
    m.put("guidance", p.guidance());
    m.put("prompt", p.prompt());
    m.put("negative_prompt", p.negativePrompt());
    m.put("guidance_rescale", p.guidanceRescale() == 0 ? null : p.guidanceRescale());
    m.put("clip_skip", p.clipSkip() == 0 ? null : p.clipSkip());
    m.put("width", p.width());
    m.put("height", p.height());
    return m;
  }

  @Override
  public String op() {
    return "generate";
  }

  @Override
  public long units() {
    return (long) n * options.steps();
  }

  @Override
  public void checkPreviews(int every) {
    if (every > 0 && model.previewDecoder() == null) {
      throw ApiError.badRequest("previews of a text-to-image pipeline need a fast decoder: start serve with"
          + " --preview-decoder TAESD_FOLDER (an AutoencoderTiny), or ask for preview=0");
    }
  }

  @Override
  public Result run(Progress progress, Previews previews) {
    Images images = TextToImage.generate(model.text(), Collections.nCopies(n, prompt), options, progress, w -> { },
        previews.callback(model.previewDecoder()));
    return new Result(images, provenance, true, (int) Math.ceil(Math.sqrt(n)));
  }
}
