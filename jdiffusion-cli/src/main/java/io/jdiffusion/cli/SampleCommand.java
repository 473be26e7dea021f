package io.jdiffusion.cli;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.Provenance;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.store.Json;
import io.jdiffusion.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sample}: generates images from a run directory, checkpoint or weights file. */
@Command(name = "sample",
    header = "Generate images with DDPM, DDIM, DPM-Solver++(2M), Euler, Euler a or Heun into a PNG grid.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion sample -n 16 -o grid.png                 # the shipped fashion-mnist model",
        "jdiffusion sample runs/quickstart --sampler dpm++2m --steps 20 --seed 7",
        "jdiffusion sample fashion-mnist-cond --class Sneaker --guidance 3 -n 8",
        "jdiffusion sample hf:google/ddpm-cifar10-32 -n 16   # from the Hub, as its pipeline samples",
        "jdiffusion sample mnist -n 64 --each digits/          # also one PNG per image",
        "jdiffusion sample path/to/sd-pipeline --prompt fox --negative-prompt blurry --steps 25 -n 4  # text-to-image"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate images from a trained model with DDPM, DDIM, DPM-Solver++(2M), Euler, Euler a or Heun;",
        "writes a PNG grid. Conditional models take --class and classifier-free --guidance."})
public final class SampleCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Parameters(index = "0", paramLabel = "MODEL", arity = "0..1", description = Help.MODEL_OR_DEFAULT)
  String model;

  @Option(names = {"-n", "--num"}, description = "Number of images (default: ${DEFAULT-VALUE}).", defaultValue = "64")
  int n;
  @Option(names = "--seed", description = "Image i uses seed + i (default: ${DEFAULT-VALUE}).", defaultValue = "0")
  long seed;
  @Option(names = "--batch", description = "Images per forward pass (default: ${DEFAULT-VALUE}).", defaultValue = "64")
  int batch;
  @Option(names = "--raw", description = "Use the raw weights of a checkpoint instead of the EMA.") boolean raw;
  @Option(names = "--threads", description = Help.THREADS, defaultValue = "0") int threads;
  @Option(names = {"-o", "--out"}, description = "Grid PNG (default: ${DEFAULT-VALUE}).", defaultValue = "samples.png")
  Path out;
  @Option(names = "--each", description = "Also write every image as DIR/seed-S.png, S its seed (default: none).")
  Path each;
  @Option(names = "--label", description = "Write each image's class and seed under it in the grid (default: off).")
  boolean label;
  @Option(names = "--force", description = "Replace --out and --each files even when another program wrote them "
      + "(jdiffusion's own are always replaced).") boolean force;
  @Option(names = "--json", description = "Print the result as one JSON line (files, model and its weights' sha256, "
      + "sampler settings, seeds, time) instead of the sentence.") boolean json;
  @Option(names = "--cols", description = "Grid columns (default: sqrt(n)).") Integer cols;
  @Option(names = {"-q", "--quiet"}, description = "No progress bar.") boolean quiet;
  @Option(names = "--dry-run", description = "Print the model's and the sampler's settings and exit.") boolean dryRun;
  @Mixin ShardFlags shards;
  @Mixin SamplerFlags sampling;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ConditionOptions condition;
  @Mixin PromptFlags prompts;


  @Override
  public Integer call() throws Exception {
    if (n < 1 || n > 100_000) {
      throw new IllegalArgumentException("--num must be between 1 and 100000, got " + n);
    }
    if (cols != null && (cols < 1 || cols > n)) {
      throw new IllegalArgumentException("--cols must be between 1 and --num (" + n + "), got " + cols);
    }
    boolean text = prompts.given() || TextToImageSample.isPipeline(model);
    int processes = text ? 1 : shards.processes(n);
    if (!shards.isShard()) {
      Outputs.png(out, "--out", force);
      if (each != null) {
        Outputs.folder(each, "--each");
        for (int i = 0; i < n; i++) {
          Outputs.replaceable(eachFile(i), "--each", force);
        }
      }
    }
    if (text) {
      Torch.init(threads);
      device.use(0);
      return TextToImageSample.run(this);
    }
    if (!shards.isShard()) {
      Phase.begin("starting libtorch and loading " + (model != null ? model : "the shipped model"),
          quiet);
    }
    Torch.init(threads > 0 || processes == 1 ? threads : DataParallel.threadsPerProcess(processes));
    device.use(shards.localRank());
    TrainedModel m = TrainedModel.resolve(model, !raw);
    SampleOptions o = sampling.resolve(m, seed, batch);
    if (!shards.isShard()) { // the grid must fit in one picture: checked before sampling
      int size0 = m.config().imageSize();
      int up = label ? Math.max(io.jdiffusion.viz.CellLabels.MIN_UPSCALE, ImageGrid.upscaleFor(size0))
          : ImageGrid.upscaleFor(size0);
      ImageGrid.checkSize(n, cols != null ? cols : (int) Math.ceil(Math.sqrt(n)), size0 * up, size0 * up,
          ImageGrid.DEFAULT_PADDING, label ? io.jdiffusion.viz.CellLabels.BAND : 0);
    }
    Integer classIndex = condition.classIndex(m);
    int[] labels = classIndex == null ? null : Conditioning.repeat(classIndex, n);
    if (dryRun) {
      System.out.println(Json.write(m.config()));
      System.out.println(Json.write(o.toJson()));
      return ExitCode.OK;
    }
    if (shards.isShard()) {
      shards.generateShard(m, n, labels, condition.guidance(m), o);
      return ExitCode.OK;
    }
    Progress bar = new Progress("sample", (long) n * o.steps(), quiet ? null : System.err).rate("images", o.steps());
    float[] images = shards.generate(spec, "sample", m, n, labels, condition.guidance(m), o, bar);
    bar.done();
    int size = m.config().imageSize();
    int c = m.config().inChannels();
    int columns = cols != null ? cols : (int) Math.ceil(Math.sqrt(n));
    String modelName = model != null ? model : "fashion-mnist";
    Provenance from = Provenance.of(modelName, m, o, classIndex, condition.guidance(m));
    if (label) {
      String[] captions = new String[n];
      for (int i = 0; i < n; i++) {
        captions[i] = (from.className() != null ? from.className() + " " : "") + "seed " + (seed + i);
      }
      ImageGrid.write(out, io.jdiffusion.viz.CellLabels.render(images, n, columns, c, size, size,
          Math.max(io.jdiffusion.viz.CellLabels.MIN_UPSCALE, ImageGrid.upscaleFor(size)), captions), from.grid(n));
    } else {
      ImageGrid.writeGrid(out, images, n, c, size, size, columns, ImageGrid.DEFAULT_PADDING,
          ImageGrid.upscaleFor(size), from.grid(n));
    }
    if (each != null) {
      Files.createDirectories(each);
      for (int i = 0; i < n; i++) {
        ImageGrid.writeImage(eachFile(i), images, i, c, size, size, 1, from.image(i));
      }
    }
    double secs = bar.elapsedSeconds();
    if (json) {
      java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
      r.put("out", out.toString());
      r.put("each", each == null ? null : each.toString());
      r.put("images", n);
      r.put("model", modelName);
      r.put("model_sha256", from.modelSha256());
      r.putAll(o.toJson());
      r.put("seeds", java.util.List.of(o.seed(), o.seed() + n - 1));
      r.put("class", from.className());
      r.put("guidance", from.guidance());
      r.put("evaluations_per_image", o.evaluations());
      r.put("seconds", secs);
      r.put("images_per_second", n / secs);
      System.out.println(Json.compact(r));
      return ExitCode.OK;
    }
    String what = classIndex == null ? "" : String.format(Locale.ROOT, " of class %d%s, guidance %s", classIndex,
        m.classNames().isEmpty() ? "" : " (" + m.classNames().get(classIndex) + ")", condition.guidance(m));
    System.out.printf(Locale.ROOT, "%d images%s from %s, %s %d steps (%d evaluations each), seeds %d..%d, %.1f s "
        + "(%.2f images/s): %s%n", n, what, modelName, o.sampler().name(), o.steps(), o.evaluations(), o.seed(),
        o.seed() + n - 1, secs, n / secs, out);
    return ExitCode.OK;
  }

  /** Image i's own file under --each: named by its seed. */
  private Path eachFile(int i) {
    return each.resolve("seed-" + (seed + i) + ".png");
  }
}
