package io.jdiffusion.cli;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.Interpolate;
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

/** {@code interpolate}: DDIM-inverts two images and decodes the slerp path between their latents. */
@Command(name = "interpolate",
    header = "Interpolate between two images through their DDIM-inverted latents (spherical interpolation).",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion interpolate fashion-mnist a.png b.png --frames 8 -o path.png"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Interpolate between two images: DDIM inversion of both, spherical interpolation of the",
        "latents, deterministic DDIM decoding of each point. Writes the path as one row of frames."})
public final class InterpolateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = Help.MODEL)
  String model;
  @Parameters(index = "1", paramLabel = "IMAGE_A", description = "First image.")
  Path imageA;
  @Parameters(index = "2", paramLabel = "IMAGE_B", description = "Second image.")
  Path imageB;
  @Option(names = "--frames", defaultValue = "8", description = "Frames on the path, ends included (default: ${DEFAULT-VALUE}).")
  int frames;
  @Option(names = "--class", paramLabel = "NAME|INDEX",
      description = "Class to condition on (conditional models; default: no label).")
  String classSpec;
  @Option(names = {"-o", "--out"}, defaultValue = "interpolate.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
  Path out;
  @Mixin EditOptions edit;

  @Override
  public Integer call() {
    if (frames < 2 || frames > 1000) {
      throw new IllegalArgumentException("--frames must be >= 2 and at most 1000 (one row of images), got " + frames);
    }
    Outputs.png(out, "--out");
    TrainedModel m = edit.load(model);
    SampleOptions o = edit.sampleOptions(m, edit.sampler(Samplers.DDIM), null, "fixed_small");
    Interpolate.checkDecoder(o);
    int[] label = Conditioning.labels(m, classSpec == null ? null : Conditioning.classIndex(m, classSpec), 1);
    float[] a = InputImages.read(imageA, m.config());
    float[] b = InputImages.read(imageB, m.config());
    Progress bar = new Progress("interpolate", (long) (2 + frames) * o.steps(), edit.quiet ? null : System.err);
    Interpolate.Result r = Interpolate.run(m, a, b, frames, label == null ? 0 : label[0], o, bar);
    bar.done();
    int size = m.config().imageSize();
    ImageGrid.writeGrid(out, r.frames(), frames, m.config().inChannels(), size, size, frames,
        ImageGrid.DEFAULT_PADDING, ImageGrid.upscaleFor(size));
    System.out.printf(Locale.ROOT, "interpolated %d frames (DDIM inversion, %s decoding, %d steps; slerp), "
        + "end frames differ from the inputs by %.3f on average, %.1f s: %s%n", frames, o.sampler().name(), o.steps(),
        r.reconstructionError(), bar.elapsedSeconds(), out);
    return ExitCode.OK;
  }
}
