package io.jdiffusion.cli;

import io.jdiffusion.data.DatasetSpecs;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.data.ImageFolder;
import io.jdiffusion.eval.QualityMetrics;
import io.jdiffusion.eval.features.FeatureExtractor;
import io.jdiffusion.eval.features.FeatureSets;
import io.jdiffusion.eval.features.Features;
import io.jdiffusion.eval.features.Extractors;
import io.jdiffusion.eval.features.ReferenceFeatures;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.store.AtomicFiles;
import io.jdiffusion.store.Json;
import io.jdiffusion.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code evaluate}: sample quality of a trained model (or of a folder of images) against a reference
 * dataset: FID, KID, Inception Score and precision/recall in the feature space of one or more
 * extractors, printed as a table and written to metrics.json.
 */
@Command(name = "evaluate",
    header = "Measure sample quality: FID, KID, IS, precision and recall against a reference dataset.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion evaluate model:fashion-mnist --ref fashion-mnist-subset -n 2000   # the shipped model",
        "jdiffusion evaluate data:fashion-mnist-test --ref fashion-mnist                # a dataset's own images",
        "jdiffusion evaluate runs/quickstart --ref fashion-mnist --sampler ddpm --floor"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Measure sample quality: FID, KID, IS and precision/recall of a run's samples (or of an image folder)",
        "against a reference dataset; every number names its feature extractor, e.g. FID(fashion-classifier)."})
public final class EvaluateCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Parameters(index = "0", paramLabel = "SOURCE", description = "What to measure: a model to sample from (run "
      + "directory, weights or checkpoint file, diffusers folder, model:NAME for a shipped model), a folder of images, or "
      + "a dataset (data:NAME, e.g. data:fashion-mnist-test: the train-vs-test floor). A bare name that is both a "
      + "shipped model and a dataset (mnist, fashion-mnist) must say which.")
  String sourceSpec;
  private Path source;
  /** Below this many images, the printed FID says it is not comparable across n. */
  private static final int SMALL_N = 1000;
  @Option(names = "--ref", required = true, description = "Reference dataset: fashion-mnist, mnist or cifar10 (their "
      + "training images), a -test split of one, fashion-mnist-subset, emoji, NAME:DIR for a copy elsewhere, or a "
      + "folder of images.")
  String ref;
  @Option(names = {"-n", "--num", "--n"}, description = "Generated and reference images (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int n;
  @Option(names = "--extractor", description = "Feature extractor, repeatable: " + Extractors.ACCEPTED
      + " (default: auto, the classifier bundled for the reference dataset).")
  List<String> extractors;
  @Option(names = "--floor", description = "Also report the metrics between the reference set and its test split.")
  boolean floor;
  @Option(names = "--test-ref", description = "Test split for --floor (default: the reference's, e.g. fashion-mnist-test).")
  String testRef;
  @Mixin SamplerFlags sampling;
  @Option(names = "--guidance", description = "Class-conditional models: classifier-free guidance weight; image i "
      + "gets class i mod classes (default: ${DEFAULT-VALUE}).", defaultValue = "1")
  double guidance;
  @Option(names = "--seed", description = "Generated image i uses seed + i; folders and datasets: subset seed (default: ${DEFAULT-VALUE}).",
      defaultValue = "0")
  long seed;
  @Option(names = "--ref-seed", description = "Seed of the reference subset (default: ${DEFAULT-VALUE}).", defaultValue = "0")
  long refSeed;
  // 64 as sample: at 250 the U-Net's activations pass glibc's largest mmap threshold (32 MB), so every
  // step maps and faults in fresh pages: twice the time on 28x28 models (docs/benchmarks.md)
  @Option(names = "--batch", description = "Images per forward pass (default: ${DEFAULT-VALUE}).", defaultValue = "64")
  int batch;
  @Option(names = "--raw", description = "Sample from a checkpoint's raw weights instead of the EMA.") boolean raw;
  @Option(names = "--image-size", description = "Image folders only: size to load them at (default: the reference's).")
  Integer imageSize;
  @Option(names = "--channels", description = "Image folders only: 1 or 3 (default: the reference's).") Integer channels;
  @Option(names = "--kid-subsets", description = "KID subsets (default: ${DEFAULT-VALUE}).", defaultValue = "100")
  int kidSubsets;
  @Option(names = "--kid-subset-size", description = "KID subset size, at most n (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  int kidSubsetSize;
  @Option(names = "--is-splits", description = "Inception Score splits (default: ${DEFAULT-VALUE}).", defaultValue = "10")
  int isSplits;
  @Option(names = "--k", description = "Neighbours for precision/recall (default: ${DEFAULT-VALUE}).", defaultValue = "3")
  int k;
  @Option(names = "--cache-dir", description = "Reference-feature cache (default: ~/.cache/jdiffusion/reference).")
  Path cacheDir;
  @Option(names = "--no-cache", description = "Recompute reference features, write no cache.") boolean noCache;
  @Option(names = {"-o", "--out"},
      description = "metrics.json path (default: SOURCE/metrics.json, beside a file, ./metrics.json for a dataset).")
  Path out;
  @Option(names = "--threads", description = Help.THREADS, defaultValue = "0") int threads;
  @Option(names = {"-q", "--quiet"}, description = "No progress bars.") boolean quiet;
  @Mixin ShardFlags shards;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    QualityMetrics.Options opts = validatedOptions();
    SourceKind kind = SourceKind.of(sourceSpec);
    String bare = kind.bare(sourceSpec);
    source = Path.of(bare);
    boolean isDataset = kind == SourceKind.DATASET;
    if (isDataset && Datasets.unprefixed(ref).equals(bare) && seed == refSeed) {
      System.err.println("warning: the source and --ref are the same dataset (" + bare + ") with the same seed: the "
          + "same images, so every distance is 0 by construction; --seed draws another subset, --floor compares "
          + "train with test");
    }
    Path file = out != null ? out : isDataset ? Path.of("metrics.json") : Files.isDirectory(source)
        ? source.resolve("metrics.json") : source.toAbsolutePath().getParent().resolve("metrics.json");
    Outputs.typed(file, "--out", "JSON", ".json"); // before minutes of sampling and feature extraction
    if (noCache && cacheDir != null) {
      throw new IllegalArgumentException("--cache-dir and --no-cache exclude each other: give one of them");
    }
    Path cache = noCache ? null : cacheDir != null ? cacheDir : ReferenceFeatures.defaultCacheDir();
    if (cache != null) {
      Outputs.folder(cache, "--cache-dir"); // written after the features are computed: checked now
    }
    String floorRef = !floor ? null : testRef != null ? testRef : DatasetSpecs.testSplit(ref).orElseThrow(
        () -> new IllegalArgumentException("no known test split for '" + ref + "'; pass --test-ref for --floor"));
    Torch.init(threads);
    device.use(shards.localRank());
    TrainedModel model = kind == SourceKind.MODEL ? TrainedModel.resolve(bare, !raw) : null;
    int processes = shards.processes(n);
    if (processes > 1 && model == null) {
      throw new IllegalArgumentException("--nproc needs a model to sample from; " + source + " holds images");
    }
    if (processes > 1 && threads == 0) {
      Torch.init(DataParallel.threadsPerProcess(processes)); // this process is one of them
    }
    if (shards.isShard()) { // generate this shard's images (classes in turn, as the whole run) for the parent
      shards.generateShard(model, n, Conditioning.inTurn(model, n), guidance,
          sampling.resolve(model, seed, batch));
      return ExitCode.OK;
    }
    int[] shape = shape(model);
    int c = shape[0];
    int s = shape[1];
    // the reference and the floor's test split are opened before sampling, so that a missing dataset
    // is one line before minutes of work rather than after
    ImageDataset refData = Datasets.open(ref, s, c);
    ImageDataset floorData = floorRef == null ? null : Datasets.open(floorRef, s, c);
    Map<String, Object> info = new LinkedHashMap<>();
    Map<String, Object> seconds = new LinkedHashMap<>();
    List<FeatureExtractor> fxs = new ArrayList<>();
    try {
      for (String spec : extractors == null ? List.of("auto") : extractors) {
        FeatureExtractor fx = Extractors.open(spec, ref);
        fxs.add(fx);
        String bad = fx.checkShape(c, s, s);
        if (bad != null) {
          throw new IllegalArgumentException(bad + (model != null ? " (the model's images)" : "; see --image-size, --channels"));
        }
      }
      long t0 = System.nanoTime();
      float[] images;
      int count;
      if (model != null) {
        int T = model.scheduleConfig().steps();
        SampleOptions o = sampling.resolve(model, seed, batch);
        Progress bar = new Progress("sample", (long) n * o.steps(), quiet ? null : System.err).rate("images", o.steps());
        int[] labels = Conditioning.inTurn(model, n); // class-balanced
        images = shards.generate(spec, "evaluate", model, n, labels, guidance, o, bar);
        bar.done();
        count = n;
        Map<String, Object> src = new LinkedHashMap<>(Map.of("kind", "model", "path", source.toString(), "sampling", o.toJson(),
            "evaluations_per_image", o.evaluations()));
        if (model.config().numClasses() > 0) {
          src.put("guidance", guidance);
        }
        info.put("source", src);
      } else if (isDataset) {
        ImageDataset data = Datasets.open(bare, s, c);
        count = Math.min(n, data.size());
        int[] idx = ReferenceFeatures.subset(data.size(), count, seed);
        images = new float[count * c * s * s];
        for (int i = 0; i < count; i++) {
          data.read(idx[i], images, i * c * s * s);
        }
        info.put("source", Map.of("kind", "dataset", "spec", bare, "description", data.describe()));
      } else {
        ImageFolder folder = ImageFolder.load(source, s, c);
        count = Math.min(n, folder.size());
        if (count < n) {
          System.err.printf("note: %s holds %d images, fewer than --n %d; using all of them%n", source, count, n);
        }
        int[] idx = ReferenceFeatures.subset(folder.size(), count, seed);
        images = new float[count * c * s * s];
        for (int i = 0; i < count; i++) {
          folder.read(idx[i], images, i * c * s * s);
        }
        info.put("source", Map.of("kind", "images", "path", source.toString(), "images", folder.size()));
      }
      seconds.put("generate", (System.nanoTime() - t0) / 1e9);
      if (count <= k) {
        throw new IllegalArgumentException("need more than --k " + k + " images, got " + count);
      }
      EvaluationReport report = new EvaluationReport();
      double featureSeconds = 0;
      double metricSeconds = 0;
      Map<String, Object> refInfo = new LinkedHashMap<>();
      for (FeatureExtractor fx : fxs) {
        long t1 = System.nanoTime();
        Progress bar = new Progress("features " + fx.name(), count, quiet ? null : System.err);
        Features gen = FeatureSets.of(fx, images, count, c, s, s, batch, bar);
        bar.done();
        ReferenceFeatures.Result real = ReferenceFeatures.get(ref, refData, c, s, n, refSeed, fx, cache, batch, quiet ? null : System.err);
        ReferenceFeatures.Result test = floorRef == null ? null
            : ReferenceFeatures.get(floorRef, floorData, c, s, n, refSeed, fx, cache, batch, quiet ? null : System.err);
        long t2 = System.nanoTime();
        System.err.printf(Locale.ROOT, "%s: reference %s, %d of %d images%s%n", fx.name(), real.description(),
            real.features().count(), real.datasetSize(), real.cached() ? " (cached)" : "");
        QualityMetrics g = QualityMetrics.compute(real.features().features(), gen.features(), gen.logits(), opts);
        QualityMetrics f = test == null ? null
            : QualityMetrics.compute(real.features().features(), test.features().features(), test.features().logits(), opts);
        report.add(new EvaluationReport.Entry(fx.name(), fx.fingerprint(), fx.dim(), g, f));
        featureSeconds += (t2 - t1) / 1e9;
        metricSeconds += (System.nanoTime() - t2) / 1e9;
        refInfo.put("dataset", ref);
        refInfo.put("description", real.description());
        refInfo.put("images", real.features().count());
        if (test != null) {
          refInfo.put("test_split", floorRef);
          refInfo.put("test_images", test.features().count());
        }
      }
      seconds.put("features", featureSeconds);
      seconds.put("metrics", metricSeconds);
      System.out.print(report.table());
      if (count < SMALL_N) {
        System.err.printf(Locale.ROOT, "note: n = %d is small: FID is biased upward at small n, so compare FIDs only at "
            + "equal n (docs/quality.md uses 2000 and 10000); KID is unbiased but its ± grows as n shrinks%n", count);
      }
      Map<String, Object> json = new LinkedHashMap<>(info);
      json.put("reference", refInfo);
      json.put("n", count);
      json.put("image_shape", List.of(c, s, s));
      json.put("options", opts);
      json.putAll(report.json());
      json.put("seconds", seconds);
      AtomicFiles.writeString(file, Json.write(json) + "\n");
      System.out.printf(Locale.ROOT, "%d images; %.1f s sampling/loading, %.1f s features, %.1f s metrics; %s%n",
          count, (double) seconds.get("generate"), featureSeconds, metricSeconds, file);
      return ExitCode.OK;
    } finally {
      fxs.forEach(FeatureExtractor::close);
    }
  }

  private QualityMetrics.Options validatedOptions() {
    if (n < 2 || n > 100_000) {
      throw new IllegalArgumentException("--n must be >= 2 and at most 100000, got " + n);
    }
    if (k < 1) {
      throw new IllegalArgumentException("--k must be >= 1, got " + k);
    }
    if (k >= n) {
      throw new IllegalArgumentException("--k must be less than --n (precision and recall count each image's " + k
          + " nearest neighbours among the others), got --k " + k + " and --n " + n);
    }
    if (kidSubsets < 1 || kidSubsetSize < 2 || kidSubsets > 10_000) {
      throw new IllegalArgumentException("--kid-subsets must be between 1 and 10000 and --kid-subset-size >= 2, got "
          + kidSubsets + " and " + kidSubsetSize);
    }
    if (isSplits < 1) {
      throw new IllegalArgumentException("--is-splits must be >= 1, got " + isSplits);
    }
    if (batch < 1 || batch > 65_536) {
      throw new IllegalArgumentException("--batch must be between 1 and 65536, got " + batch);
    }
    if (imageSize != null && (imageSize < 4 || imageSize > Datasets.MAX_SIZE)) {
      throw new IllegalArgumentException("--image-size must be between 4 and " + Datasets.MAX_SIZE + ", got " + imageSize);
    }
    if (channels != null && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("--channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    return new QualityMetrics.Options(kidSubsets, kidSubsetSize, 0, isSplits, k);
  }

  /** {channels, size}: the model's; for image folders the options', else the reference dataset's. */
  private int[] shape(TrainedModel model) {
    if (model != null) {
      return new int[] {model.config().inChannels(), model.config().imageSize()};
    }
    int[] nat = DatasetSpecs.nativeShape(ref).orElse(null);
    if (nat == null && !Files.isDirectory(Path.of(ref))) {
      throw new IllegalArgumentException("unknown reference '" + ref + "': neither a dataset nor an image folder; accepted: "
          + Datasets.ACCEPTED);
    }
    Integer c = channels != null ? channels : nat != null ? Integer.valueOf(nat[0]) : null;
    Integer s = imageSize != null ? imageSize : nat != null ? Integer.valueOf(nat[1]) : null;
    if (c == null || s == null) {
      throw new IllegalArgumentException("pass --image-size and --channels: the reference '" + ref
          + "' is an image folder, whose shape is not known in advance");
    }
    return new int[] {c, s};
  }
}
