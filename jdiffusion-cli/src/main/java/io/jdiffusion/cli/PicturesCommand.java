package io.jdiffusion.cli;

import io.jdiffusion.data.DataException;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.report.RunLayout;
import io.jdiffusion.store.Json;
import io.jdiffusion.util.Progress;
import io.jdiffusion.viz.ForwardStrip;
import io.jdiffusion.report.RunPictures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pictures} (alias {@code strip}): forward strip, reverse strip and denoising GIF of a model. */
@Command(name = "pictures",
    header = "Draw a model's forward and reverse process: two strips and an animated denoising GIF.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion pictures runs/quickstart                 # into runs/quickstart/strips",
        "jdiffusion pictures fashion-mnist --out strips/"}, aliases = "strip", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Draw a model's forward-process strip (one image noised at t = 0, T/10, ..., T), its reverse-process",
        "strip (x_t and the clean-image estimate of a few samples at evenly spaced steps) and an animated GIF of",
        "the denoising. Writes forward.png, reverse.png and denoising.gif into RUN/strips (or --out)."})
public final class PicturesCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Parameters(index = "0", paramLabel = "MODEL", arity = "0..1", description = Help.MODEL_OR_DEFAULT)
  String model;

  @Option(names = {"-o", "--out"}, description = "Output folder (default: MODEL/strips for a run directory, "
      + "strips/ beside a file, ./strips for a shipped model).")
  Path out;
  @Option(names = {"-n", "--num"}, description = "Samples in the reverse strip and GIF (default: ${DEFAULT-VALUE}).",
      defaultValue = "4")
  int n;
  @Option(names = "--seed", description = "Sample i uses seed + i; also seeds the forward strip's noise "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "0")
  long seed;
  @Option(names = "--columns", description = "States in the reverse strip (default: ${DEFAULT-VALUE}).",
      defaultValue = "11")
  int columns;
  @Option(names = "--frames", description = "Most GIF frames (default: ${DEFAULT-VALUE}; at most steps + 1).",
      defaultValue = "30")
  int frames;
  @Option(names = "--frame-ms", description = "Display time of a GIF frame (default: ${DEFAULT-VALUE}).",
      defaultValue = "80")
  int frameMs;
  @Option(names = "--forward-every", description = "Timestep interval of the forward strip (default: T/10).")
  Integer forwardEvery;
  @Option(names = "--image", description = "Image file for the forward strip (default: image --index of the "
      + "run's training data, else the first sample).")
  Path image;
  @Option(names = "--data", description = "Dataset for the forward strip's image (default: the run's).") String data;
  @Option(names = "--index", description = "Index of the forward strip's image in the data (default: ${DEFAULT-VALUE}).",
      defaultValue = "0")
  int index;
  @Option(names = "--raw", description = "Use the raw weights of a checkpoint instead of the EMA.") boolean raw;
  @Option(names = "--threads", description = Help.THREADS, defaultValue = "0") int threads;
  @Option(names = {"-q", "--quiet"}, description = "No progress bar.") boolean quiet;
  @Mixin SamplerFlags sampling;

  @Override
  public Integer call() throws Exception {
    if (n < 1 || n > 64) {
      throw new IllegalArgumentException("--num must be between 1 and 64, got " + n);
    }
    Torch.init(threads);
    device.use();
    TrainedModel m = TrainedModel.resolve(model, !raw);
    int T = m.scheduleConfig().steps();
    SampleOptions o = sampling.resolve(m, seed, n);
    RunPictures.Options opts = new RunPictures.Options(n, columns, frames,
        forwardEvery != null ? forwardEvery : Math.max(1, T / 10), seed, frameMs, o);
    ForwardStrip.timesteps(T, opts.forwardEvery()); // checks --forward-every against T before any output
    Path dir = Outputs.folder(out != null ? out : defaultOut(model), "--out");
    float[] x0 = forwardImage(m.config());
    Progress bar = new Progress("pictures", (long) n * o.steps(), quiet ? null : System.err).rate("images", o.steps());
    RunPictures.Written w = RunPictures.write(m, x0, dir, opts, bar);
    bar.done();
    System.out.printf(Locale.ROOT, "%s (%s), %s, %s (%d frames)%n", w.forward(),
        x0 == null ? "first sample" : "training image", w.reverse(), w.gif(), w.gifFrames());
    return ExitCode.OK;
  }

  /** RUN/strips for a run directory, strips/ beside a file, ./strips for a shipped model. */
  static Path defaultOut(String model) {
    Path p = model == null || model.isBlank() ? null : Path.of(model);
    if (p == null || !Files.exists(p)) {
      return Path.of(RunLayout.STRIPS);
    }
    if (Files.isDirectory(p)) {
      return p.resolve(RunLayout.STRIPS);
    }
    return p.toAbsolutePath().getParent().resolve(RunLayout.STRIPS);
  }

  /** The forward strip's image: --image, or --index of --data or of the run's data; null for the first sample. */
  private float[] forwardImage(UNetConfig c) throws IOException {
    if (image != null) {
      return InputImages.read(image, c);
    }
    if (data != null) {
      return datasetImage(Datasets.open(data, c.imageSize(), c.inChannels()), index);
    }
    Path config = model != null && Files.isDirectory(Path.of(model)) ? Path.of(model).resolve(RunLayout.CONFIG) : null;
    if (config == null || !Files.isRegularFile(config)) {
      return null;
    }
    // only the data spec is needed: read it alone, so that config.json of any version will do
    String spec;
    try {
      spec = Json.mapper().readTree(Files.readString(config, StandardCharsets.UTF_8)).path("data").asText("");
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(config + ": not valid JSON (" + e.getOriginalMessage() + ")");
    }
    try {
      return datasetImage(Datasets.open(spec, c.imageSize(), c.inChannels()), index);
    } catch (DataException e) {
      System.err.println("note: the run's data is not readable here (" + e.getMessage()
          + "); the forward strip uses the first sample");
      return null;
    }
  }

  private static float[] datasetImage(ImageDataset ds, int i) {
    if (i < 0 || i >= ds.size()) {
      throw new IllegalArgumentException("--index " + i + " is outside [0, " + (ds.size() - 1) + "] of " + ds.describe());
    }
    float[] v = new float[ds.imageSize()];
    ds.read(i, v, 0);
    return v;
  }

  /**
   * The pictures of a freshly trained run with the default options (4 DDIM samples, 50 steps, the
   * first training image), as {@code train} draws them at its end.
   */
  static RunPictures.Written forRun(Path runDir, TrainedModel m, ImageDataset data, boolean quiet) throws IOException {
    int T = m.scheduleConfig().steps();
    SampleOptions o = SampleOptions.defaultsFor(Samplers.DDIM, m.schedule()).withBatch(4);
    Progress bar = new Progress("pictures", 4L * o.steps(), quiet ? null : System.err);
    RunPictures.Written w = RunPictures.write(m, datasetImage(data, 0), runDir.resolve(RunLayout.STRIPS),
        RunPictures.Options.defaults(T, o), bar);
    bar.done();
    return w;
  }
}
