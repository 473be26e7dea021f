package io.jdiffusion.cli;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.interop.PipelineIndex;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.PromptOptions;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.StableDiffusion;
import io.jdiffusion.pipeline.TextProvenance;
import io.jdiffusion.pipeline.TextToImage;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.store.Json;
import io.jdiffusion.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code sample} on a text-to-image pipeline folder: a prompt in, a PNG grid (and --each images) out. */
final class TextToImageSample {
  private TextToImageSample() {}

  /** Whether {@code model} names a text-to-image pipeline folder (or a Hub repository of one). */
  static boolean isPipeline(String model) {
    return StableDiffusion.isPipeline(model, System.err::println);
  }

  /** The pipeline folder of {@code model}: itself, or a Hub repository's files downloaded (or cached). */
  static Path folder(String model, String variant) {
    return StableDiffusion.folder(model, variant, System.err::println);
  }

  /**
   * The options of a call on a pipeline folder: its own scheduler's settings, or another sampler as
   * diffusers' {@code from_config} makes it ({@link TextToImage#defaults(StableDiffusion, Sampler)}); then
   * each value given (null keeps the default).
   */
  static SampleOptions options(StableDiffusion sd, String sampler, Integer steps, Double eta, String spacing,
      String variance, String precision, long seed, int batch) {
    Sampler own = sd.scheduler().sampler();
    Sampler chosen = sampler == null ? own : Samplers.byName(sampler);
    if (chosen.name().equals(own.name())) {
      chosen = own; // the folder's own variant (its scheduler config's keys)
    }
    SampleOptions.Builder b = chosen == own ? TextToImage.defaults(sd).toBuilder()
        : TextToImage.defaults(sd, chosen).toBuilder();
    return SampleOptions.overrides(b, chosen, steps, eta, spacing, variance, "--")
        .precision(Precision.parse(precision)).seed(seed).batch(Math.min(batch, 64)).build();
  }

  static int run(SampleCommand c) throws Exception {
    if (c.model == null || !isPipeline(c.model)) {
      throw new IllegalArgumentException("--prompt needs a text-to-image pipeline folder (model_index.json with a "
          + "text_encoder), got " + (c.model == null ? "the shipped model" : c.model));
    }
    if (c.condition.classSpec != null) {
      throw new IllegalArgumentException("--class applies to class-conditional models; a text-to-image pipeline "
          + "takes --prompt");
    }
    if (c.raw || c.shards.isShard() || c.label) {
      throw new IllegalArgumentException((c.raw ? "--raw" : c.label ? "--label" : "--nproc")
          + " does not apply to a text-to-image pipeline");
    }
    Path dir = folder(c.model, c.prompts.variant);
    PromptFlags f = c.prompts;
    double guidance = c.condition.given != null ? c.condition.given : PromptOptions.DEFAULT_GUIDANCE;
    PromptOptions p = new PromptOptions(f.prompt == null ? "" : f.prompt, f.negative, guidance,
        f.width == null ? 0 : f.width, f.height == null ? 0 : f.height, f.clipSkip, f.guidanceRescale);
    if (f.width != null && f.width < 1 || f.height != null && f.height < 1) {
      throw new IllegalArgumentException("--width and --height must be positive, got " + f.width + "x" + f.height);
    }
    Phase.begin("loading the pipeline " + dir, c.quiet);
    try (StableDiffusion sd = StableDiffusion.load(dir, f.variant, System.err::println)) {
      int width = p.width() == 0 ? sd.defaultSize() : p.width();
      int height = p.height() == 0 ? sd.defaultSize() : p.height();
      int scale = sd.vaeScaleFactor();
      if (width % scale != 0 || height % scale != 0) {
        throw new IllegalArgumentException("--width and --height must be multiples of " + scale + ", got " + width
            + "x" + height);
      }
      SamplerFlags s = c.sampling;
      SampleOptions o = options(sd, s.sampler, s.steps, s.eta, s.spacing, s.variance, s.precision, c.seed, c.batch);
      int columns = c.cols != null ? c.cols : (int) Math.ceil(Math.sqrt(c.n));
      ImageGrid.checkSize(c.n, columns, width, height, ImageGrid.DEFAULT_PADDING, 0);
      if (c.dryRun) {
        System.out.println(Json.write(p));
        System.out.println(Json.write(o.toJson()));
        return ExitCode.OK;
      }
      Progress bar = new Progress("sample", (long) c.n * o.steps(), c.quiet ? null : System.err)
          .rate("images", o.steps());
      Images images = TextToImage.generate(sd, c.n, p.withSize(width, height), o, bar, System.err::println);
      bar.done();
      TextProvenance from = new TextProvenance(c.model, TextProvenance.folderDigest(dir), p, width, height, o);
      ImageGrid.writeGrid(c.out, images.pixels(), c.n, 3, height, width, columns, ImageGrid.DEFAULT_PADDING, 1,
          from.chunks(-1, c.n));
      if (c.each != null) {
        Files.createDirectories(c.each);
        for (int i = 0; i < c.n; i++) {
          ImageGrid.writeImage(c.each.resolve("seed-" + (c.seed + i) + ".png"), images.pixels(), i, 3, height, width,
              1, from.chunks(i, c.n));
        }
      }
      double secs = bar.elapsedSeconds();
      if (c.json) {
        java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("out", c.out.toString());
        r.put("each", c.each == null ? null : c.each.toString());
        r.put("images", c.n);
        r.put("model", c.model);
        r.put("model_sha256", from.modelSha256());
        r.put("prompt", p.prompt());
        r.put("negative_prompt", p.negativePrompt());
        r.put("guidance", p.guidance());
        r.put("width", width);
        r.put("height", height);
        r.putAll(o.toJson());
        r.put("seeds", java.util.List.of(o.seed(), o.seed() + c.n - 1));
        r.put("seconds", secs);
        System.out.println(Json.compact(r));
        return ExitCode.OK;
      }
      System.out.printf(Locale.ROOT, "%d images of \"%s\" from %s, %s %d steps, guidance %s, %dx%d, seeds %d..%d, "
          + "%.1f s: %s%n", c.n, p.prompt(), c.model, o.sampler().name(), o.steps(), p.guidance(), width, height,
          o.seed(), o.seed() + c.n - 1, secs, c.out);
      return ExitCode.OK;
    }
  }
}
