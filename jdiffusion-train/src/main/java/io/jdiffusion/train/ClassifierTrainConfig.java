package io.jdiffusion.train;

import io.jdiffusion.nn.ClassifierConfig;
import io.jdiffusion.nn.Precision;

/**
 * Settings of a {@link ClassifierTrainer} run, stored as JSON in the classifier's weights file.
 *
 * @param name the extractor's name, printed with every metric, e.g. "fashion-classifier"
 * @param data training dataset spec (see {@link io.jdiffusion.data.Datasets})
 * @param testData held-out dataset spec on which accuracy is reported
 * @param model architecture
 * @param optimizer batch, steps and AdamW's settings
 * @param seed seed of the weights and the batch order
 * @param threads libtorch threads (0 = all cores)
 * @param precision fp32 or bf16
 */
public record ClassifierTrainConfig(String name, String data, String testData, ClassifierConfig model,
    Optimizer optimizer, long seed, int threads, Precision precision) {

  /**
   * The optimisation: AdamW with a linear warm-up, then cosine decay to 0.
   *
   * @param batchSize images per step
   * @param steps optimizer steps
   * @param lr peak learning rate
   * @param warmupSteps warm-up steps
   * @param weightDecay decoupled weight decay
   */
  public record Optimizer(int batchSize, int steps, double lr, int warmupSteps, double weightDecay) {
    public Optimizer {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (steps < 1) {
        throw new IllegalArgumentException("steps must be >= 1, got " + steps);
      }
      if (!(lr > 0) || Double.isInfinite(lr)) {
        throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
      }
      if (warmupSteps < 0 || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("warm-up steps and weight decay must be >= 0");
      }
    }
  }

  public ClassifierTrainConfig {
    if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("classifier name must be letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    if (model == null || optimizer == null || precision == null) {
      throw new IllegalArgumentException("model, optimizer and precision must be given");
    }
  }
}
