package io.jdiffusion.cli;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.PromptOptions;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.StableDiffusion;
import io.jdiffusion.pipeline.TextInpaint;
import io.jdiffusion.pipeline.TextProvenance;
import io.jdiffusion.pipeline.TextToImage;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@code img2img} and {@code inpaint} on a text-to-image pipeline folder: the image (and mask) at the
 * pipeline's resolution, a prompt, diffusers' StableDiffusionImg2ImgPipeline and
 * StableDiffusionInpaintPipeline step for step; one row out: the input, then the n results.
 */
final class TextEdits {
  private TextEdits() {}

  static int img2img(Img2ImgCommand c) {
    return run(c.model, c.image, null, c.strength, c.n, c.eta, c.out, c.edit, c.condition, c.prompts, "img2img");
  }

  static int inpaint(InpaintCommand c) {
    if (c.jump != null || c.resample != null || c.variance != null) {
      throw new IllegalArgumentException("--jump, --resample and --variance are RePaint's (pixel models); a "
          + "text-to-image pipeline inpaints as diffusers does");
    }
    return run(c.model, c.image, c.mask, c.strength, c.n, c.eta, c.out, c.edit, c.condition, c.prompts, "inpaint");
  }

  private static int run(String model, Path image, Path mask, double strength, int n, Double eta, Path out,
      EditOptions edit, ConditionOptions condition, PromptFlags f, String what) {
    if (!TextToImageSample.isPipeline(model)) {
      throw new IllegalArgumentException("--prompt needs a text-to-image pipeline folder (model_index.json with a "
          + "text_encoder), got " + model);
    }
    if (n < 1 || n > 1000) {
      throw new IllegalArgumentException("--num must be between 1 and 1000, got " + n);
    }
    if (condition.classSpec != null) {
      throw new IllegalArgumentException("--class applies to class-conditional models; a text-to-image pipeline "
          + "takes --prompt");
    }
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("--strength must be in (0, 1], got " + strength);
    }
    Outputs.png(out, "--out");
    int[] size = InputImages.size(image);
    if (mask != null) {
      int[] ms = InputImages.size(mask);
      if (ms[0] != size[0] || ms[1] != size[1]) {
        throw new IllegalArgumentException(mask + ": the mask is " + ms[0] + "x" + ms[1] + " pixels, the image " + image
            + " " + size[0] + "x" + size[1] + "; a mask must have its image's size");
      }
    }
    io.jdiffusion.nn.Torch.init(edit.threads);
    Path dir = TextToImageSample.folder(model, f.variant);
    try (StableDiffusion sd = StableDiffusion.load(dir, f.variant, System.err::println)) {
      int scale = sd.vaeScaleFactor();
      // diffusers' default: the image's own size, rounded down to a multiple of the autoencoder's scale
      int width = f.width != null ? f.width : size[0] - size[0] % scale;
      int height = f.height != null ? f.height : size[1] - size[1] % scale;
      if (width < scale || height < scale || width % scale != 0 || height % scale != 0) {
        throw new IllegalArgumentException("--width and --height must be positive multiples of " + scale + ", got "
            + width + "x" + height);
      }
      float[] unit = InputImages.rgb(image, width, height);
      float[] guide = new float[unit.length];
      for (int i = 0; i < unit.length; i++) {
        guide[i] = unit[i] * 2 - 1;
      }
      double guidance = condition.given != null ? condition.given : PromptOptions.DEFAULT_GUIDANCE;
      PromptOptions p = new PromptOptions(f.prompt == null ? "" : f.prompt, f.negative, guidance, width, height,
          f.clipSkip, f.guidanceRescale);
      SampleOptions o = TextToImageSample.options(sd, edit.sampler, edit.steps, eta, edit.spacing, null,
          edit.precision, edit.seed, edit.batch);
      List<PromptOptions> each = Collections.nCopies(n, p);
      Progress bar = new Progress(what, (long) n * o.steps(), edit.quiet ? null : System.err).rate("images", o.steps());
      float[] guides = new float[n * guide.length];
      for (int i = 0; i < n; i++) { // every edit starts from the same image (diffusers repeats it over the batch)
        System.arraycopy(guide, 0, guides, i * guide.length, guide.length);
      }
      Images result = mask == null
          ? TextToImage.imageToImage(sd, guides, height, width, each, strength, o, bar, System.err::println)
          : TextInpaint.run(sd, guide, InputImages.rgbMask(mask, width, height), height, width, each, strength, o, bar,
              System.err::println);
      bar.done();
      float[] row = new float[unit.length + result.pixels().length];
      System.arraycopy(unit, 0, row, 0, unit.length);
      System.arraycopy(result.pixels(), 0, row, unit.length, result.pixels().length);
      TextProvenance from = new TextProvenance(model, TextProvenance.folderDigest(dir), p, width, height, o);
      ImageGrid.writeGrid(out, row, n + 1, 3, height, width, n + 1, ImageGrid.DEFAULT_PADDING, 1, from.chunks(-1, n));
      System.out.printf(Locale.ROOT, "%s: %d images of \"%s\" from %s, %s %d steps, strength %.2f, %.1f s: %s%n",
          what, n, p.prompt(), model, o.sampler().name(), o.steps(), strength, bar.elapsedSeconds(), out);
      return ExitCode.OK;
    }
  }
}
