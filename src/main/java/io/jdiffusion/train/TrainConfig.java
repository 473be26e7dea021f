package io.jdiffusion.train;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.schedule.ScheduleConfig;

/**
 * Everything a training run needs, saved as {@code config.json} in the run directory and inside
 * every checkpoint, so that sampling and resuming rebuild the run from it alone.
 *
 * @param data dataset spec: "fashion-mnist-subset" (embedded), "fashion-mnist[:DIR]", or an image folder
 * @param model U-Net architecture (its inChannels/imageSize match the data)
 * @param schedule forward-process settings
 * @param prediction network target: eps (default), x0 or v
 * @param loss l2 (default), l1 or huber
 * @param huberDelta delta of the Huber loss
 * @param batchSize images per step
 * @param steps total optimizer steps
 * @param lr peak learning rate of AdamW
 * @param warmupSteps linear warm-up from 0 to lr over this many steps
 * @param lrSchedule after warm-up: constant or cosine (decay to 0 at the last step)
 * @param weightDecay AdamW's decoupled weight decay
 * @param adamBeta1 AdamW beta1
 * @param adamBeta2 AdamW beta2
 * @param adamEps AdamW epsilon
 * @param gradClip maximum global gradient norm (0 = no clipping)
 * @param emaDecay EMA decay of the weights
 * @param emaWarmup use decay min(emaDecay, (1 + step)/(10 + step)) early on
 * @param flip random horizontal flip of training images
 * @param classDropout probability of replacing a label by "no label" (conditional models only)
 * @param seed seed of weights, batches, timesteps and noise
 * @param precision fp32 or bf16 mixed precision (fp32 master weights)
 * @param threads libtorch intra-op threads (0 = all cores)
 * @param logEvery steps between metrics.csv rows
 * @param checkpointEvery steps between checkpoints (the last step always saves)
 * @param keepCheckpoints how many recent checkpoints to keep
 * @param sampleEvery steps between sample grids (0 = only at the end)
 */
public record TrainConfig(
    String data,
    UNetConfig model,
    ScheduleConfig schedule,
    String prediction,
    String loss,
    double huberDelta,
    int batchSize,
    int steps,
    double lr,
    int warmupSteps,
    String lrSchedule,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEps,
    double gradClip,
    double emaDecay,
    boolean emaWarmup,
    boolean flip,
    double classDropout,
    long seed,
    String precision,
    int threads,
    int logEvery,
    int checkpointEvery,
    int keepCheckpoints,
    int sampleEvery) {

  public TrainConfig {
    Prediction.parse(prediction);
    Loss.parse(loss);
    Precision.parse(precision);
    LrSchedule.parse(lrSchedule);
    for (double v : new double[] {huberDelta, lr, weightDecay, adamBeta1, adamBeta2, adamEps, gradClip, emaDecay,
        classDropout}) {
      require(Double.isFinite(v), "training options must be finite numbers, got " + v);
    }
    require(batchSize >= 1 && batchSize <= 65_536, "batch size must be between 1 and 65536, got " + batchSize);
    require(steps >= 1, "steps must be >= 1, got " + steps);
    require(lr > 0, "learning rate must be > 0, got " + lr);
    require(lr <= 1e30, "learning rate must be <= 1e30 (larger updates overflow float32), got " + lr);
    require(warmupSteps >= 0, "warm-up steps must be >= 0, got " + warmupSteps);
    require(weightDecay >= 0, "weight decay must be >= 0, got " + weightDecay);
    require(adamBeta1 >= 0 && adamBeta1 < 1, "adam beta1 must be in [0, 1), got " + adamBeta1);
    require(adamBeta2 >= 0 && adamBeta2 < 1, "adam beta2 must be in [0, 1), got " + adamBeta2);
    require(adamEps > 0, "adam eps must be > 0, got " + adamEps);
    require(gradClip >= 0, "gradient clip must be >= 0, got " + gradClip);
    require(emaDecay >= 0 && emaDecay < 1, "EMA decay must be in [0, 1), got " + emaDecay);
    require(huberDelta > 0, "huber delta must be > 0, got " + huberDelta);
    require(classDropout >= 0 && classDropout <= 1, "class dropout must be in [0, 1], got " + classDropout);
    require(threads >= 0, "threads must be >= 0, got " + threads);
    require(logEvery >= 1, "log interval must be >= 1, got " + logEvery);
    require(checkpointEvery >= 1, "checkpoint interval must be >= 1, got " + checkpointEvery);
    require(keepCheckpoints >= 1, "keep-checkpoints must be >= 1, got " + keepCheckpoints);
    require(sampleEvery >= 0, "sample interval must be >= 0, got " + sampleEvery);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * The quick preset: the embedded Fashion-MNIST subset, tiny U-Net, a few minutes on 2 cores; a
   * 16-image preview grid every 500 steps.
   */
  public static TrainConfig quick() {
    return new TrainConfig("fashion-mnist-subset", UNetConfig.tiny(1, 28, 0), ScheduleConfig.defaults(),
        "eps", "l2", 1.0, 64, 1500, 2e-3, 100, "cosine", 0.0, 0.9, 0.999, 1e-8, 1.0, 0.995, true,
        false, 0.1, 0, "fp32", 0, 25, 500, 2, 500);
  }

  /**
   * The reference preset: hyper-parameters for the GUIDE's 6.47 M-parameter U-Net (DDPM-like: lr
   * 2e-4, 1000 warm-up steps, EMA 0.9999, flips), for long runs on real data.
   */
  public static TrainConfig reference() {
    return new TrainConfig("fashion-mnist-subset", UNetConfig.reference(1, 28, 0), ScheduleConfig.defaults(),
        "eps", "l2", 1.0, 64, 50_000, 2e-4, 1000, "constant", 0.0, 0.9, 0.999, 1e-8, 1.0, 0.9999, true,
        true, 0.1, 0, "fp32", 0, 100, 2000, 2, 5000);
  }

  public Prediction predictionType() {
    return Prediction.parse(prediction);
  }

  public Loss lossType() {
    return Loss.parse(loss);
  }

  public Precision precisionType() {
    return Precision.parse(precision);
  }

  public LrSchedule lrScheduleType() {
    return LrSchedule.parse(lrSchedule);
  }
}
