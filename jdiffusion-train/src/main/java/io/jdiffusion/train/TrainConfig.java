package io.jdiffusion.train;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.schedule.ScheduleConfig;
import java.util.Arrays;
import java.util.List;

/**
 * Everything a training run needs, saved as {@code config.json} in the run directory and as the
 * "training" metadata of every checkpoint (read only to resume; sampling needs the model file's
 * {@code ModelSpec} alone). Immutable; made by {@link #builder()} (whose defaults are the quick
 * preset: the one place they are written), {@link #quick()}, {@link #reference()} or {@link #toBuilder()}.
 * Validated once, in {@link Builder#build()}. The JSON form is flat, with these field names and the
 * command line's lower-case values.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"data", "model", "schedule", "prediction", "loss", "huberDelta", "batchSize", "steps", "lr",
    "warmupSteps", "lrSchedule", "weightDecay", "adamBeta1", "adamBeta2", "adamEps", "gradClip", "emaDecay",
    "emaWarmup", "flip", "classDropout", "seed", "precision", "threads", "logEvery", "checkpointEvery",
    "keepCheckpoints", "sampleEvery", "processes", "gradAccum"})
@JsonDeserialize(builder = TrainConfig.Builder.class)
public final class TrainConfig {
  /** Dataset spec: "fashion-mnist-subset" (embedded), "fashion-mnist[:DIR]", or an image folder. */
  private final String data;
  /** U-Net architecture (its inChannels/imageSize match the data). */
  private final UNetConfig model;
  /** Forward-process settings. */
  private final ScheduleConfig schedule;
  /** Network target: eps, x0 or v (Prediction). */
  private final Prediction prediction;
  /** L2, l1 or huber. */
  private final Loss loss;
  /** Delta of the Huber loss. */
  private final double huberDelta;
  /** Images per step. */
  private final int batchSize;
  /** Total optimizer steps. */
  private final int steps;
  /** Peak learning rate of AdamW. */
  private final double lr;
  /** Linear warm-up from 0 to lr over this many steps. */
  private final int warmupSteps;
  /** After warm-up: constant, or cosine decay to 0 at the last step. */
  private final LrSchedule lrSchedule;
  /** AdamW's decoupled weight decay. */
  private final double weightDecay;
  /** AdamW beta1. */
  private final double adamBeta1;
  /** AdamW beta2. */
  private final double adamBeta2;
  /** AdamW epsilon. */
  private final double adamEps;
  /** Maximum global gradient norm (0 = no clipping). */
  private final double gradClip;
  /** EMA decay of the weights. */
  private final double emaDecay;
  /** Use decay min(emaDecay, (1 + step)/(10 + step)) early on. */
  private final boolean emaWarmup;
  /** Random horizontal flip of training images. */
  private final boolean flip;
  /** Probability of replacing a label by "no label" (conditional models only). */
  private final double classDropout;
  /** Seed of weights, batches, timesteps and noise. */
  private final long seed;
  /** Fp32, or bf16 mixed precision (fp32 master weights). */
  private final Precision precision;
  /** Libtorch intra-op threads (0 = all cores). */
  private final int threads;
  /** Steps between metrics.csv rows. */
  private final int logEvery;
  /** Steps between checkpoints (the last step always saves). */
  private final int checkpointEvery;
  /** How many recent checkpoints to keep. */
  private final int keepCheckpoints;
  /** Steps between preview grids (0 = none). */
  private final int sampleEvery;
  /** Data-parallel processes (train --nproc, --world-size); the global batch is batchSize x processes. */
  private final int processes;
  /** Micro-batches accumulated per optimizer step; the global batch is batchSize x processes x gradAccum. */
  private final int gradAccum;

  private TrainConfig(Builder b) {
    this.data = b.data;
    this.model = b.model;
    this.schedule = b.schedule;
    this.prediction = b.prediction;
    this.loss = b.loss;
    this.huberDelta = b.huberDelta;
    this.batchSize = b.batchSize;
    this.steps = b.steps;
    this.lr = b.lr;
    this.warmupSteps = b.warmupSteps;
    this.lrSchedule = b.lrSchedule;
    this.weightDecay = b.weightDecay;
    this.adamBeta1 = b.adamBeta1;
    this.adamBeta2 = b.adamBeta2;
    this.adamEps = b.adamEps;
    this.gradClip = b.gradClip;
    this.emaDecay = b.emaDecay;
    this.emaWarmup = b.emaWarmup;
    this.flip = b.flip;
    this.classDropout = b.classDropout;
    this.seed = b.seed;
    this.precision = b.precision;
    this.threads = b.threads;
    this.logEvery = b.logEvery;
    this.checkpointEvery = b.checkpointEvery;
    this.keepCheckpoints = b.keepCheckpoints;
    this.sampleEvery = b.sampleEvery;
    this.processes = b.processes;
    this.gradAccum = b.gradAccum;
  }

  /**
   * Fields added after the first version whose default is what files without them meant (one
   * process, no accumulation): reading an older file takes the default without a warning.
   */
  public static final java.util.Set<String> ADDED_LATER = java.util.stream.Stream.concat(
      java.util.stream.Stream.of("processes", "gradAccum"), UNetConfig.addedLater("model.").stream())
      .collect(java.util.stream.Collectors.toUnmodifiableSet());

  /** A builder holding the defaults (the quick preset). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.data = data;
    b.model = model;
    b.schedule = schedule;
    b.prediction = prediction;
    b.loss = loss;
    b.huberDelta = huberDelta;
    b.batchSize = batchSize;
    b.steps = steps;
    b.lr = lr;
    b.warmupSteps = warmupSteps;
    b.lrSchedule = lrSchedule;
    b.weightDecay = weightDecay;
    b.adamBeta1 = adamBeta1;
    b.adamBeta2 = adamBeta2;
    b.adamEps = adamEps;
    b.gradClip = gradClip;
    b.emaDecay = emaDecay;
    b.emaWarmup = emaWarmup;
    b.flip = flip;
    b.classDropout = classDropout;
    b.seed = seed;
    b.precision = precision;
    b.threads = threads;
    b.logEvery = logEvery;
    b.checkpointEvery = checkpointEvery;
    b.keepCheckpoints = keepCheckpoints;
    b.sampleEvery = sampleEvery;
    b.processes = processes;
    b.gradAccum = gradAccum;
    return b;
  }

  /**
   * The quick preset: the embedded Fashion-MNIST subset, tiny U-Net, a few minutes on 2 cores; a
   * 16-image preview grid every 500 steps.
   */
  public static TrainConfig quick() {
    return builder().build();
  }

  /**
   * The reference preset: DDPM-like hyper-parameters (lr 2e-4, 1000 warm-up steps, constant rate,
   * EMA 0.9999, flips, dropout 0.1) for the 6.47 M-parameter U-Net, for long runs on real data.
   */
  public static TrainConfig reference() {
    return builder().model(UNetConfig.reference(1, 28, 0)).steps(50_000).lr(2e-4).warmupSteps(1000)
        .lrSchedule(LrSchedule.CONSTANT).emaDecay(0.9999).flip(true).logEvery(100).checkpointEvery(2000)
        .sampleEvery(5000).build();
  }

  /** Dataset spec: "fashion-mnist-subset" (embedded), "fashion-mnist[:DIR]", or an image folder. */
  public String data() {
    return data;
  }

  /** U-Net architecture (its inChannels/imageSize match the data). */
  public UNetConfig model() {
    return model;
  }

  /** Forward-process settings. */
  public ScheduleConfig schedule() {
    return schedule;
  }

  /** Network target: eps, x0 or v (Prediction). */
  public Prediction prediction() {
    return prediction;
  }

  /** L2, l1 or huber. */
  public Loss loss() {
    return loss;
  }

  /** Delta of the Huber loss. */
  public double huberDelta() {
    return huberDelta;
  }

  /** Images per step. */
  public int batchSize() {
    return batchSize;
  }

  /** Total optimizer steps. */
  public int steps() {
    return steps;
  }

  /** Peak learning rate of AdamW. */
  public double lr() {
    return lr;
  }

  /** Linear warm-up from 0 to lr over this many steps. */
  public int warmupSteps() {
    return warmupSteps;
  }

  /** After warm-up: constant, or cosine decay to 0 at the last step. */
  public LrSchedule lrSchedule() {
    return lrSchedule;
  }

  /** AdamW's decoupled weight decay. */
  public double weightDecay() {
    return weightDecay;
  }

  /** AdamW beta1. */
  public double adamBeta1() {
    return adamBeta1;
  }

  /** AdamW beta2. */
  public double adamBeta2() {
    return adamBeta2;
  }

  /** AdamW epsilon. */
  public double adamEps() {
    return adamEps;
  }

  /** Maximum global gradient norm (0 = no clipping). */
  public double gradClip() {
    return gradClip;
  }

  /** EMA decay of the weights. */
  public double emaDecay() {
    return emaDecay;
  }

  /** Use decay min(emaDecay, (1 + step)/(10 + step)) early on. */
  public boolean emaWarmup() {
    return emaWarmup;
  }

  /** Random horizontal flip of training images. */
  public boolean flip() {
    return flip;
  }

  /** Probability of replacing a label by "no label" (conditional models only). */
  public double classDropout() {
    return classDropout;
  }

  /** Seed of weights, batches, timesteps and noise. */
  public long seed() {
    return seed;
  }

  /** Fp32, or bf16 mixed precision (fp32 master weights). */
  public Precision precision() {
    return precision;
  }

  /** Libtorch intra-op threads (0 = all cores). */
  public int threads() {
    return threads;
  }

  /** Steps between metrics.csv rows. */
  public int logEvery() {
    return logEvery;
  }

  /** Steps between checkpoints (the last step always saves). */
  public int checkpointEvery() {
    return checkpointEvery;
  }

  /** How many recent checkpoints to keep. */
  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  /** Steps between preview grids (0 = none). */
  public int sampleEvery() {
    return sampleEvery;
  }

  /** Data-parallel processes; the global batch is batchSize x processes. */
  public int processes() {
    return processes;
  }

  /** Micro-batches accumulated per optimizer step. */
  public int gradAccum() {
    return gradAccum;
  }

  private List<Object> values() {
    return Arrays.asList(data, model, schedule, prediction, loss, huberDelta, batchSize, steps, lr, warmupSteps,
        lrSchedule, weightDecay, adamBeta1, adamBeta2, adamEps, gradClip, emaDecay, emaWarmup, flip, classDropout,
        seed, precision, threads, logEvery, checkpointEvery, keepCheckpoints, sampleEvery, processes, gradAccum);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainConfig c && values().equals(c.values());
  }

  @Override
  public int hashCode() {
    return values().hashCode();
  }

  @Override
  public String toString() {
    return io.jdiffusion.store.Json.write(this);
  }

  /** Builds a {@link TrainConfig}; starts from the quick preset's values. */
  @JsonPOJOBuilder(withPrefix = "")
  public static final class Builder {
    private String data = "fashion-mnist-subset";
    private UNetConfig model = UNetConfig.tiny(1, 28, 0);
    private ScheduleConfig schedule = ScheduleConfig.defaults();
    private Prediction prediction = Prediction.EPS;
    private Loss loss = Loss.L2;
    private double huberDelta = 1.0;
    private int batchSize = 64;
    private int steps = 1500;
    private double lr = 2e-3;
    private int warmupSteps = 100;
    private LrSchedule lrSchedule = LrSchedule.COSINE;
    private double weightDecay = 0.0;
    private double adamBeta1 = 0.9;
    private double adamBeta2 = 0.999;
    private double adamEps = 1e-8;
    private double gradClip = 1.0;
    private double emaDecay = 0.995;
    private boolean emaWarmup = true;
    private boolean flip = false;
    private double classDropout = 0.1;
    private long seed = 0;
    private Precision precision = Precision.FP32;
    private int threads = 0;
    private int logEvery = 25;
    private int checkpointEvery = 500;
    private int keepCheckpoints = 2;
    private int sampleEvery = 500;
    private int processes = 1;
    private int gradAccum = 1;

    private Builder() {}

    /** Dataset spec: "fashion-mnist-subset" (embedded), "fashion-mnist[:DIR]", or an image folder. */
    public Builder data(String data) {
      this.data = data;
      return this;
    }

    /** U-Net architecture (its inChannels/imageSize match the data). */
    public Builder model(UNetConfig model) {
      this.model = model;
      return this;
    }

    /** Forward-process settings. */
    public Builder schedule(ScheduleConfig schedule) {
      this.schedule = schedule;
      return this;
    }

    /** Network target: eps, x0 or v (Prediction). */
    public Builder prediction(Prediction prediction) {
      this.prediction = prediction;
      return this;
    }

    /** L2, l1 or huber. */
    public Builder loss(Loss loss) {
      this.loss = loss;
      return this;
    }

    /** Delta of the Huber loss. */
    public Builder huberDelta(double huberDelta) {
      this.huberDelta = huberDelta;
      return this;
    }

    /** Images per step. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Total optimizer steps. */
    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    /** Peak learning rate of AdamW. */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** Linear warm-up from 0 to lr over this many steps. */
    public Builder warmupSteps(int warmupSteps) {
      this.warmupSteps = warmupSteps;
      return this;
    }

    /** After warm-up: constant, or cosine decay to 0 at the last step. */
    public Builder lrSchedule(LrSchedule lrSchedule) {
      this.lrSchedule = lrSchedule;
      return this;
    }

    /** AdamW's decoupled weight decay. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** AdamW beta1. */
    public Builder adamBeta1(double adamBeta1) {
      this.adamBeta1 = adamBeta1;
      return this;
    }

    /** AdamW beta2. */
    public Builder adamBeta2(double adamBeta2) {
      this.adamBeta2 = adamBeta2;
      return this;
    }

    /** AdamW epsilon. */
    public Builder adamEps(double adamEps) {
      this.adamEps = adamEps;
      return this;
    }

    /** Maximum global gradient norm (0 = no clipping). */
    public Builder gradClip(double gradClip) {
      this.gradClip = gradClip;
      return this;
    }

    /** EMA decay of the weights. */
    public Builder emaDecay(double emaDecay) {
      this.emaDecay = emaDecay;
      return this;
    }

    /** Use decay min(emaDecay, (1 + step)/(10 + step)) early on. */
    public Builder emaWarmup(boolean emaWarmup) {
      this.emaWarmup = emaWarmup;
      return this;
    }

    /** Random horizontal flip of training images. */
    public Builder flip(boolean flip) {
      this.flip = flip;
      return this;
    }

    /** Probability of replacing a label by "no label" (conditional models only). */
    public Builder classDropout(double classDropout) {
      this.classDropout = classDropout;
      return this;
    }

    /** Seed of weights, batches, timesteps and noise. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Fp32, or bf16 mixed precision (fp32 master weights). */
    public Builder precision(Precision precision) {
      this.precision = precision;
      return this;
    }

    /** Libtorch intra-op threads (0 = all cores). */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Steps between metrics.csv rows. */
    public Builder logEvery(int logEvery) {
      this.logEvery = logEvery;
      return this;
    }

    /** Steps between checkpoints (the last step always saves). */
    public Builder checkpointEvery(int checkpointEvery) {
      this.checkpointEvery = checkpointEvery;
      return this;
    }

    /** How many recent checkpoints to keep. */
    public Builder keepCheckpoints(int keepCheckpoints) {
      this.keepCheckpoints = keepCheckpoints;
      return this;
    }

    /** Steps between preview grids (0 = none). */
    public Builder sampleEvery(int sampleEvery) {
      this.sampleEvery = sampleEvery;
      return this;
    }

    /** Data-parallel processes; the global batch is batchSize x processes. */
    public Builder processes(int processes) {
      this.processes = processes;
      return this;
    }

    /** Micro-batches accumulated per optimizer step (each of batchSize images per process). */
    public Builder gradAccum(int gradAccum) {
      this.gradAccum = gradAccum;
      return this;
    }

    /** Checks every value and builds. */
    public TrainConfig build() {
      require(data != null && model != null && schedule != null && prediction != null && loss != null
          && lrSchedule != null && precision != null, "data, model, schedule, prediction, loss, lrSchedule and "
          + "precision must be given");
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
      require(threads >= 0 && threads <= 1024, "threads must be between 0 (all cores) and 1024, got " + threads);
      require(logEvery >= 1, "log interval must be >= 1, got " + logEvery);
      require(checkpointEvery >= 1, "checkpoint interval must be >= 1, got " + checkpointEvery);
      require(keepCheckpoints >= 1, "keep-checkpoints must be >= 1, got " + keepCheckpoints);
      require(sampleEvery >= 0, "sample interval must be >= 0, got " + sampleEvery);
      require(processes >= 1 && processes <= 4096, "processes must be between 1 and 4096, got " + processes);
      require(gradAccum >= 1 && gradAccum <= 4096, "gradient accumulation must be between 1 and 4096, got " + gradAccum);
      long global = (long) batchSize * processes * gradAccum;
      require(global <= 65_536, "the global batch (batch size x processes x accumulation) must be at most 65536, got "
          + global);
      return new TrainConfig(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
