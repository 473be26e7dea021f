package io.jdiffusion.cli;

import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.ImageToImage;
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

/** {@code img2img}: SDEdit, noising an image part of the way and denoising it with DDIM. */
@Command(name = "img2img",
    header = "Edit an image with SDEdit (Meng et al. 2022): noise it part-way, then denoise it with DDIM.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion img2img fashion-mnist --image sketch.png --strength 0.6 -n 4 -o edits.png"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Edit an image with SDEdit (Meng et al. 2022): noise it to --strength, then denoise with DDIM.",
        "Writes one row: the input, then the edited images."})
public final class Img2ImgCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = Help.MODEL)
  String model;
  @Option(names = "--image", required = true, description = "Guide image (resized and centre-cropped to the model).")
  Path image;
  @Option(names = "--strength", defaultValue = "0.6",
      description = "In (0, 1]: 1 keeps little of the input, small values change little (default: ${DEFAULT-VALUE}).")
  double strength;
  @Option(names = {"-n", "--num"}, defaultValue = "4", description = "Edits to draw (default: ${DEFAULT-VALUE}).")
  int n;
  @Option(names = "--eta",
      description = "ddim's eta (default 0) or euler-a's noise scale (default 1); refused for samplers without one.")
  Double eta;
  @Option(names = {"-o", "--out"}, defaultValue = "img2img.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
  Path out;
  @Mixin EditOptions edit;
  @Mixin ConditionOptions condition;
  @Mixin PromptFlags prompts;

  @Override
  public Integer call() {
    if (prompts.given() || TextToImageSample.isPipeline(model)) {
      return TextEdits.img2img(this);
    }
    TrainedModel m = edit.prepare(model, n, out);
    SampleOptions o = edit.sampleOptions(m, edit.sampler(Samplers.DDIM), eta, "fixed_small");
    int taken = ImageToImage.steps(m, o, strength);
    int[] labels = Conditioning.labels(m, condition.classIndex(m), n);
    float[] input = InputImages.read(image, m.config());
    Progress bar = new Progress("img2img", (long) n * taken, edit.quiet ? null : System.err).rate("images", taken);
    float[] edited = ImageToImage.run(m, input, strength, n, labels, condition.guidance(m), o, bar);
    bar.done();
    EditOptions.writeRow(out, input, edited, n, m.config());
    System.out.printf(Locale.ROOT, "edited %d images (SDEdit, strength %.2f: %d of %d %s steps), %.1f s: %s%n",
        n, strength, taken, o.steps(), o.sampler().name(), bar.elapsedSeconds(), out);
    return ExitCode.OK;
  }
}
