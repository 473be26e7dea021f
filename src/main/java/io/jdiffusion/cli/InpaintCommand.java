package io.jdiffusion.cli;

import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.Inpaint;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code inpaint}: fills the white region of a mask with RePaint. */
@Command(name = "inpaint",
    header = "Fill the masked region of an image with RePaint (Lugmayr et al. 2022).",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion inpaint fashion-mnist --image shirt.png --mask hole.png -n 4 -o filled.png"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fill the masked region of an image with RePaint (Lugmayr et al. 2022).",
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
  @Option(names = "--jump", defaultValue = "10", description = "RePaint jump length j (default: ${DEFAULT-VALUE}).")
  int jump;
  @Option(names = "--resample", defaultValue = "10",
      description = "RePaint resamplings r per jump; 1 = no resampling (default: ${DEFAULT-VALUE}).")
  int resample;
  @Option(names = "--variance", defaultValue = "fixed_small",
      description = "DDPM variance: fixed_small or fixed_large (default: ${DEFAULT-VALUE}).")
  String variance;
  @Option(names = {"-o", "--out"}, defaultValue = "inpaint.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
  Path out;
  @Mixin EditOptions edit;
  @Mixin ConditionOptions condition;

  @Override
  public Integer call() {
    TrainedModel m = edit.prepare(model, n, out);
    SampleOptions o = edit.sampleOptions(m, Samplers.DDPM, null, variance);
    int evaluations = Inpaint.evaluations(o.steps(), jump, resample);
    int[] labels = Conditioning.labels(m, condition.classIndex(m), n);
    int size = m.config().imageSize();
    int c = m.config().inChannels();
    float[] input = InputImages.read(image, m.config());
    float[] fill = InputImages.readMask(mask, size, image);
    long moves = Inpaint.moves(o.steps(), jump, resample);
    Progress bar = new Progress("inpaint", n * moves, edit.quiet).rate("images", moves);
    float[] filled = Inpaint.run(m, input, fill, n, jump, resample, labels, condition.guidance, o, bar);
    bar.done();
    float[] masked = new float[input.length]; // the input with the region to fill in grey
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < size * size; p++) {
        masked[ch * size * size + p] = fill[p] > 0 ? 0.5f : input[ch * size * size + p];
      }
    }
    EditOptions.writeRow(out, masked, filled, n, m.config());
    System.out.printf(Locale.ROOT, "inpainted %d images (RePaint: %d steps, jump %d, %d resamples, %d evaluations each),"
        + " %.1f s: %s%n", n, o.steps(), jump, resample, evaluations, bar.elapsedSeconds(), out);
    return ExitCode.OK;
  }
}
