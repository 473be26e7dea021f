package io.jdiffusion.cli;

import io.jdiffusion.data.DatasetSpecs;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.nn.ClassifierConfig;
import io.jdiffusion.pipeline.TrainedClassifier;
import io.jdiffusion.store.Json;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.train.ClassifierTrainConfig;
import io.jdiffusion.train.ClassifierTrainer;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train-classifier}: trains the small domain classifier whose features {@code evaluate} uses
 * for FID, KID, IS and precision/recall, and reports its test-split accuracy.
 */
@Command(name = "train-classifier",
    header = "Train the small CNN classifier that evaluate can use as its feature extractor.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion train-classifier --data mnist --out mnist-classifier.safetensors"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train a small CNN classifier on a labelled dataset for use as an evaluation feature extractor",
        "(evaluate --extractor classifier:FILE); prints its accuracy on the test split."})
public final class TrainClassifierCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Option(names = "--data", description = "Labelled training data (default: ${DEFAULT-VALUE}).", defaultValue = "fashion-mnist")
  String data;
  @Option(names = "--test", description = "Held-out data for the accuracy (default: the test split of --data).")
  String test;
  @Option(names = "--out", description = "Weights file (default: ${DEFAULT-VALUE}).", defaultValue = "classifier.safetensors")
  Path out;
  @Option(names = "--name", description = "Extractor name printed with metrics (default: DATASET-classifier).")
  String name;
  @Option(names = "--image-size", description = "Input size (default: the dataset's, 28 for Fashion-MNIST).") Integer size;
  @Option(names = "--channels", description = "1 or 3 (default: the dataset's).") Integer channels;
  @Option(names = "--epochs", description = "Passes over the training data (default: ${DEFAULT-VALUE}).", defaultValue = "1")
  double epochs;
  @Option(names = "--batch-size", description = "Images per step (default: ${DEFAULT-VALUE}).", defaultValue = "128")
  int batchSize;
  @Option(names = "--lr", description = "Peak AdamW learning rate (default: ${DEFAULT-VALUE}).", defaultValue = "3e-3")
  double lr;
  @Option(names = "--warmup", description = "Warm-up steps (default: ${DEFAULT-VALUE}).", defaultValue = "100")
  int warmup;
  @Option(names = "--weight-decay", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).", defaultValue = "1e-4")
  double weightDecay;
  @Option(names = "--widths", split = ",", description = "Channels per stage (default: 16,32,64).") List<Integer> widths;
  @Option(names = "--features", description = "Feature (penultimate layer) width (default: ${DEFAULT-VALUE}).",
      defaultValue = "128") int featureDim;
  @Option(names = "--groups", description = "GroupNorm groups (default: ${DEFAULT-VALUE}).", defaultValue = "4") int groups;
  @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).", defaultValue = "0") long seed;
  @Option(names = "--threads", description = Help.THREADS, defaultValue = "0") int threads;
  @Option(names = "--precision", description = "fp32 or bf16 (default: ${DEFAULT-VALUE}).", defaultValue = "fp32")
  String precision;
  @Option(names = "--fp32-weights", description = "Store float32 weights instead of bfloat16.") boolean fp32Weights;
  @Option(names = {"-q", "--quiet"}, description = "No progress bars.") boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (!(epochs > 0 && epochs <= 10_000)) {
      throw new IllegalArgumentException("--epochs must be > 0 and at most 10000, got " + epochs);
    }
    if (batchSize < 1 || batchSize > 65_536) {
      throw new IllegalArgumentException("--batch-size must be between 1 and 65536, got " + batchSize);
    }
    Outputs.typed(out, "--out", "safetensors", ".safetensors"); // before any training
    String testSpec = test != null ? test : DatasetSpecs.testSplit(data).orElseThrow(() -> new IllegalArgumentException(
        "no known test split for '" + data + "'; pass --test"));
    int[] shape = DatasetSpecs.nativeShape(data).orElse(null);
    int c = channels != null ? channels : shape != null ? shape[0] : -1;
    int s = size != null ? size : shape != null ? shape[1] : -1;
    if (c < 0 || s < 0) {
      throw new IllegalArgumentException("image folders need --image-size and --channels");
    }
    ImageDataset train = Datasets.open(data, s, c);
    ImageDataset held = Datasets.open(testSpec, s, c);
    ClassifierConfig model = new ClassifierConfig(c, s, train.numClasses(),
        widths != null ? widths : ClassifierConfig.small(c, s, Math.max(2, train.numClasses())).widths(), groups,
        featureDim);
    double exactSteps = Math.ceil(epochs * train.size() / batchSize);
    if (exactSteps > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--epochs " + epochs + " of " + train.size() + " images in batches of " + batchSize
          + " is " + exactSteps + " steps, more than " + Integer.MAX_VALUE);
    }
    int steps = (int) exactSteps;
    String n = name != null ? name : DatasetSpecs.family(data).orElse("custom") + "-classifier";
    ClassifierTrainConfig cfg = new ClassifierTrainConfig(n, data, testSpec, model,
        new ClassifierTrainConfig.Optimizer(batchSize, steps, lr, warmup, weightDecay), seed, threads,
        Precision.parse(precision));
    device.use();
    ClassifierTrainer trainer = new ClassifierTrainer(cfg);
    System.err.printf(Locale.ROOT, "data: %s; test: %s%nclassifier: %,d parameters, %d steps of %d%n",
        train.describe(), held.describe(), trainer.model().parameterCount(), steps, batchSize);
    Progress bar = new Progress("train-classifier", steps, quiet ? null : System.err);
    ClassifierTrainer.Result r = trainer.run(train, bar);
    bar.done();
    Progress ev = new Progress("accuracy", held.size(), quiet ? null : System.err);
    double acc = ClassifierTrainer.accuracy(trainer.model(), held, 500, ev);
    ev.done();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("train", Json.write(cfg));
    meta.put("test_accuracy", String.format(Locale.ROOT, "%.4f", acc));
    meta.put("test_data", held.describe());
    meta.put("train_seconds", String.format(Locale.ROOT, "%.1f", r.seconds()));
    meta.put("train_cpu_seconds", String.format(Locale.ROOT, "%.1f", r.cpuSeconds()));
    meta.put("threads", Integer.toString(org.bytedeco.pytorch.global.torch.get_num_threads()));
    TrainedClassifier.save(out, trainer.model(), n, meta, !fp32Weights);
    System.out.printf(Locale.ROOT,
        "%s: test accuracy %.2f%% on %s; %d steps in %.1f min (%.1f CPU-min), final loss %.4f; %s%n",
        n, 100 * acc, held.describe(), r.steps(), r.seconds() / 60, r.cpuSeconds() / 60, r.finalLoss(), out);
    return ExitCode.OK;
  }
}
