package io.jdiffusion.report;

import io.jdiffusion.report.RunPictures;
import java.nio.file.Path;

/**
 * The names of the files in a run directory (documented in docs/run-directory.md), in one place so
 * that the trainer, the picture and report commands and the report page agree.
 */
public final class RunLayout {
  /** The whole training configuration as JSON. */
  public static final String CONFIG = "config.json";
  /** One row per logged step: step, loss, lr, grad_norm, images_per_s, elapsed_s. */
  public static final String METRICS = "metrics.csv";
  /** The loss curve drawn from {@link #METRICS}. */
  public static final String LOSS_PNG = "loss.png";
  /** Sample grids: step-NNNNNNN.png during training, final.png at the end. */
  public static final String SAMPLES = "samples";
  /** Checkpoints step-NNNNNNN.safetensors. */
  public static final String CHECKPOINTS = "checkpoints";
  /** The exported EMA weights. */
  public static final String WEIGHTS = "weights.safetensors";
  /** Forward strip, reverse strip and denoising GIF. */
  public static final String STRIPS = "strips";
  /** The HTML report. */
  public static final String REPORT = "report.html";
  /** A model card, when someone wrote one. */
  public static final String MODEL_CARD = "MODEL_CARD.md";

  private RunLayout() {}

  public static Path strip(Path runDir, String name) {
    return runDir.resolve(STRIPS).resolve(name);
  }

  public static Path forwardStrip(Path runDir) {
    return strip(runDir, RunPictures.FORWARD);
  }

  public static Path reverseStrip(Path runDir) {
    return strip(runDir, RunPictures.REVERSE);
  }

  public static Path gif(Path runDir) {
    return strip(runDir, RunPictures.GIF);
  }
}
