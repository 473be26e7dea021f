package io.jdiffusion.cli;

import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.Inpaint;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code inpaint}: fills the white region of a mask with RePaint, or with any sampler and the known region kept. */
@Command(name = "inpaint",
    header = "Fill the masked region of an image with RePaint (Lugmayr et al. 2022).",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion inpaint fashion-mnist --image shirt.png --mask hole.png -n 4 -o filled.png",
        "jdiffusion inpaint fashion-mnist --image shirt.png --mask hole.png --sampler dpm++2m --steps 20"},
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fill the masked region of an image with RePaint (Lugmayr et al. 2022), or with another sampler",
        "that keeps the known region at each step's noise level.",
        "Writes one row: the input with the region to fill in grey, then the filled images."})
public final class InpaintCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = Help.MODEL)
  String model;
  @Option(names = "--image", required = true, description = "Image to complete (resized and centre-cropped to the model).")
  Path image;
  @Option(names = "--mask", required = true, description = "Mask image of the image's size: white = region to fill, black = keep.")
  Path mask;
  @Option(names = {"-n", "--num"}, defaultValue = "4", description = "Completions to draw (default: ${DEFAULT-VALUE}).")
  int n;
  @Option(names = "--strength", defaultValue = "1.0", description = "Text-to-image pipelines: in (0, 1], how far "
      + "the image is noised before repainting (default: ${DEFAULT-VALUE}, from noise; pixel models always 1).")
  double strength;
  @Option(names = "--jump", description = "RePaint jump length j (default: 10; ddpm only).")
  Integer jump;
  @Option(names = "--resample", description = "RePaint resamplings r per jump; 1 = no resampling (default: 10; ddpm only).")
  Integer resample;
  @Option(names = "--variance", description = "DDPM variance: fixed_small or fixed_large (default: fixed_small; ddpm only).")
  String variance;
  @Option(names = "--eta",
      description = "ddim's eta (default 0) or euler-a's noise scale (default 1); refused for samplers without one.")
  Double eta;
  @Option(names = {"-o", "--out"}, defaultValue = "inpaint.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
  Path out;
  @Mixin EditOptions edit;
  @Mixin ConditionOptions condition;
  @Mixin PromptFlags prompts;

  @Override
  public Integer call() {
    if (prompts.given() || TextToImageSample.isPipeline(model)) {
      return TextEdits.inpaint(this);
    }
    if (strength != 1) {
      throw new IllegalArgumentException("--strength applies to text-to-image pipelines; a pixel model inpaints from "
          + "noise (RePaint or the known region at each step)");
    }
    TrainedModel m = edit.prepare(model, n, out);
    Sampler sampler = edit.sampler(Samplers.DDPM);
    if (sampler != Samplers.DDPM && (jump != null || resample != null || variance != null)) {
      throw new IllegalArgumentException("--jump, --resample and --variance are RePaint's (--sampler ddpm); "
          + sampler.name() + " fills the region step by step without them");
    }
    int jump = this.jump == null ? 10 : this.jump;
    int resample = this.resample == null ? 10 : this.resample;
    SampleOptions o = edit.sampleOptions(m, sampler, eta, variance == null ? "fixed_small" : variance);
    int evaluations = Inpaint.evaluations(o, jump, resample);
    int[] labels = Conditioning.labels(m, condition.classIndex(m), n);
    int size = m.config().imageSize();
    int c = m.config().inChannels();
    float[] input = InputImages.read(image, m.config());
    float[] fill = InputImages.readMask(mask, size, image);
    long moves = Inpaint.moves(m, o, jump, resample);
    Progress bar = new Progress("inpaint", n * moves, edit.quiet ? null : System.err).rate("images", moves);
    float[] filled = Inpaint.run(m, input, fill, n, jump, resample, labels, condition.guidance(m), o, bar);
    bar.done();
    float[] masked = new float[input.length]; // the input with the region to fill in grey
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < size * size; p++) {
        masked[ch * size * size + p] = fill[p] > 0 ? 0.5f : input[ch * size * size + p];
      }
    }
    EditOptions.writeRow(out, masked, filled, n, m.config());
    String how = Inpaint.repaint(o) ? String.format(Locale.ROOT, "RePaint: %d steps, jump %d, %d resamples", o.steps(),
        jump, resample) : String.format(Locale.ROOT, "%s, %d steps, known region replaced", o.sampler().name(), o.steps());
    System.out.printf(Locale.ROOT, "inpainted %d images (%s, %d evaluations each), %.1f s: %s%n", n, how, evaluations,
        bar.elapsedSeconds(), out);
    return ExitCode.OK;
  }
}
