package io.jdiffusion.train;

import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.nn.Classifier;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.util.Progress;
import io.jdiffusion.util.Seeds;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a {@link Classifier} with softmax cross-entropy, -log softmax(logits)[y], averaged over
 * the batch, and AdamW (linear warm-up, cosine decay). Batches come from {@link Batches} (images in
 * [-1, 1], a pure function of (seed, step)), so a run is reproducible on the same CPU.
 */
public final class ClassifierTrainer {
  private final ClassifierTrainConfig config;
  private final Classifier model;
  private final AdamW opt;

  /** The outcome: steps, mean loss over the last 50 steps, wall-clock and process CPU seconds. */
  public record Result(int steps, double finalLoss, double seconds, double cpuSeconds) {}

  public ClassifierTrainer(ClassifierTrainConfig config) {
    this.config = config;
    Torch.init(config.threads());
    torch.manual_seed(config.seed());
    this.model = new Classifier(config.model());
    this.opt = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, config.optimizer().weightDecay());
  }

  public Classifier model() {
    return model;
  }

  /** Runs all steps on {@code train}, reporting loss and speed on {@code progress}. */
  public Result run(ImageDataset train, Progress progress) {
    var m = config.model();
    if (train.channels() != m.inChannels() || train.height() != m.imageSize() || train.width() != m.imageSize()) {
      throw new IllegalArgumentException(train.describe() + " does not match the classifier's input "
          + m.inChannels() + "x" + m.imageSize() + "x" + m.imageSize());
    }
    if (train.numClasses() != m.numClasses()) {
      throw new IllegalArgumentException(train.describe() + " has " + train.numClasses()
          + " classes, the classifier " + m.numClasses() + " (an unlabelled image folder cannot train one)");
    }
    Forward f = new Forward(config.precision(), true);
    long t0 = System.nanoTime();
    long cpu0 = cpuNanos();
    double recent = 0;
    int recentCount = 0;
    int b = config.optimizer().batchSize();
    try (Batches batches = new Batches(train, b, Seeds.mix(config.seed(), 0, 5), false, 0.0, true)) {
      for (int step = 0; step < config.optimizer().steps(); step++) {
        double lr = LrSchedule.COSINE.at(step, config.optimizer().steps(), config.optimizer().lr(), config.optimizer().warmupSteps());
        Batches.Batch batch = batches.get(step);
        double loss;
        try (PointerScope scope = new PointerScope()) {
          Tensor x = Torch.tensor(batch.images(), b, m.inChannels(), m.imageSize(), m.imageSize());
          Tensor logits = model.logits(model.features(x, f), f);
          Tensor l = torch.cross_entropy_loss(logits, Torch.longs(batch.labels()));
          l.backward();
          loss = l.item_double();
        }
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException(String.format(Locale.ROOT,
              "loss became %s at step %d; lower the learning rate (now %.2e)", loss, step, lr));
        }
        opt.step(lr);
        if (step >= config.optimizer().steps() - 50) {
          recent += loss;
          recentCount++;
        }
        progress.status(String.format(Locale.ROOT, "loss %.4f", loss));
        progress.update(step + 1);
      }
    }
    return new Result(config.optimizer().steps(), recent / Math.max(1, recentCount), (System.nanoTime() - t0) / 1e9,
        (cpuNanos() - cpu0) / 1e9);
  }

  /** CPU time of the whole process (all threads, libtorch's included), in nanoseconds. */
  static long cpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  /**
   * Top-1 accuracy of {@code model} on {@code data}: the fraction of images whose largest logit is
   * their label.
   */
  public static double accuracy(Classifier model, ImageDataset data, int batch, Progress progress) {
    var m = model.config();
    int per = data.imageSize();
    int correct = 0;
    for (int start = 0; start < data.size(); start += batch) {
      int n = Math.min(batch, data.size() - start);
      float[] images = new float[n * per];
      for (int i = 0; i < n; i++) {
        data.read(start + i, images, i * per);
      }
      for (int i = 0; i < images.length; i++) {
        images[i] = images[i] * 2 - 1;
      }
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        Tensor x = Torch.tensor(images, n, m.inChannels(), m.imageSize(), m.imageSize());
        float[] logits = Torch.toFloats(model.logits(model.features(x, Forward.EVAL_FP32), Forward.EVAL_FP32));
        int c = m.numClasses();
        for (int i = 0; i < n; i++) {
          int best = 0;
          for (int k = 1; k < c; k++) {
            if (logits[i * c + k] > logits[i * c + best]) {
              best = k;
            }
          }
          if (best == data.label(start + i)) {
            correct++;
          }
        }
      }
      progress.update(start + n);
    }
    return (double) correct / data.size();
  }
}
