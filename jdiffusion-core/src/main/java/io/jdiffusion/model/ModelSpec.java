package io.jdiffusion.model;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.schedule.ScheduleConfig;

/**
 * What a model needs to rebuild itself, and nothing of how it was trained: the network, the noise
 * schedule it was trained on, and what it predicts. Stored as the "model" metadata of every weights
 * file and checkpoint ({@link ModelFile}); the training options live in checkpoints only.
 *
 * @param unet the U-Net's architecture
 * @param schedule the forward process it was trained on
 * @param prediction its output: eps, x0 or v
 */
public record ModelSpec(UNetConfig unet, ScheduleConfig schedule, Prediction prediction) {
  public ModelSpec {
    if (unet == null || schedule == null || prediction == null) {
      throw new IllegalArgumentException("a model spec needs unet, schedule and prediction");
    }
  }

  /** The values a field missing from a file takes (the quick-start model's). */
  static ModelSpec defaults() {
    return new ModelSpec(UNetConfig.tiny(1, 28, 0), ScheduleConfig.defaults(), Prediction.EPS);
  }
}
