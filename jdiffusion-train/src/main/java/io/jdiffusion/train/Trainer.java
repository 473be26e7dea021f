package io.jdiffusion.train;

import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.diffusion.ForwardProcess;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.store.AtomicFiles;
import io.jdiffusion.store.Json;
import io.jdiffusion.util.Progress;
import io.jdiffusion.util.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop of Ho et al. 2020, Algorithm 1, with AdamW, warm-up, gradient clipping and EMA:
 *
 * <pre>x0 ~ data, t ~ U{0..T-1}, eps ~ N(0, I)
 * x_t = sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps
 * loss = || target(x0, eps) - net(x_t, t) ||^2</pre>
 *
 * At the end of {@link #run} the loss curve of metrics.csv is drawn into loss.png.
 *
 * <p>Every random draw of step k is seeded from (seed, k), so a run resumed from a checkpoint after
 * step k continues exactly as the uninterrupted run (CPU, same thread count).
 */
public final class Trainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private final TrainConfig config;
  private final Path runDir;
  private final ImageDataset data;
  private final boolean quiet;
  private java.io.PrintStream progressOut; // null: no progress bar
  private final UNet model;
  private final Ema ema;
  private final AdamW opt;
  private final ForwardProcess forward;
  private long step;
  private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.STOP;
  private long skipped;
  private int skippedInARow;
  private java.util.function.LongConsumer onSample = step -> { };
  private Replicas replicas = Replicas.SINGLE;

  /**
   * The outcome of {@link #run}; {@code finalLoss} is the mean loss of the last logged window, the
   * value of metrics.csv's last row (one step's loss where no row is written: other replicas).
   */
  public record Result(long steps, double finalLoss, double imagesPerSecond, Path checkpoint) {}

  /**
   * Builds a fresh run, or resumes the newest checkpoint in {@code runDir} when {@code resume}.
   */
  public Trainer(TrainConfig config, ImageDataset data, Path runDir, boolean resume, boolean quiet) throws IOException {
    this.config = config;
    this.runDir = runDir;
    this.data = data;
    this.quiet = quiet;
    Torch.init(config.threads());
    torch.manual_seed(config.seed());
    this.model = new UNet(config.model());
    this.ema = new Ema(model, config.emaDecay(), config.emaWarmup());
    this.opt = new AdamW(model.parameters(), config.adamBeta1(), config.adamBeta2(), config.adamEps(), config.weightDecay());
    this.forward = new ForwardProcess(config.schedule().build());
    if (resume) {
      Checkpoint c = Checkpoint.loadLatest(runDir);
      c.restore("model.", model.parameters());
      c.restore("ema.", ema.model().parameters());
      c.restore("optim.", opt.state());
      opt.setStepCount(c.optimizerSteps());
      this.step = c.step();
    }
  }

  /** The run's configuration. */
  public TrainConfig config() {
    return config;
  }

  public UNet model() {
    return model;
  }

  /**
   * Shows a progress bar (or, into a log, a line every 10 s) on {@code out} while {@link #run} trains;
   * null (the default) shows none.
   */
  public Trainer progressTo(java.io.PrintStream out) {
    this.progressOut = out;
    return this;
  }

  public Ema ema() {
    return ema;
  }
  /**
   * The EMA network as a model to sample from; it shares the EMA weights, so it samples what the run
   * has learned so far.
   */
  public io.jdiffusion.pipeline.TrainedModel emaModel() {
    return new io.jdiffusion.pipeline.TrainedModel(ema.model(), config.schedule(), config.prediction(), classNames());
  }


  /** The optimizer (its moments and step count). */
  AdamW optimizer() {
    return opt;
  }

  public long step() {
    return step;
  }

  /** What to do when a step's loss or gradient is not finite (default {@link NonFinitePolicy#STOP}). */
  public Trainer onNonFinite(NonFinitePolicy policy) {
    this.nonFinitePolicy = policy;
    return this;
  }

  /**
   * Called with the step number every {@code sampleEvery} steps (before the last), for the caller's
   * progress pictures from {@link #ema()}; training itself draws nothing.
   */
  public Trainer onSample(java.util.function.LongConsumer hook) {
    this.onSample = hook;
    return this;
  }

  /**
   * Makes this trainer one replica of a data-parallel job: config.batchSize() images per replica
   * and step (the global batch is batchSize x replicas, drawn identically everywhere and sliced by
   * rank), gradients and losses averaged before each optimizer step, and the run directory written
   * by replica 0 alone. Equal, up to float rounding, to one process with the global batch.
   */
  public Trainer replicas(Replicas replicas) {
    this.replicas = replicas;
    return this;
  }

  /** Steps dropped under {@link NonFinitePolicy#SKIP} in this session. */
  public long skippedSteps() {
    return skipped;
  }

  /** Trains until {@code config.steps()}, checkpointing and logging on the way. */
  public Result run() throws IOException {
    return run(config.steps());
  }

  /**
   * Trains until step {@code until} (at most {@code config.steps()}) and checkpoints there, so that a
   * later {@code --resume} continues the same run (same learning-rate schedule).
   */
  public Result run(long until) throws IOException {
    long stop = Math.min(until, config.steps());
    boolean writer = replicas.rank() == 0;
    Path metrics = runDir == null ? null : runDir.resolve("metrics.csv");
    if (writer) {
      Files.createDirectories(runDir.resolve("samples"));
      AtomicFiles.writeString(runDir.resolve("config.json"), Json.write(config));
      Checkpoint.removeStaleTemporaries(runDir);
      cutMetricsBackTo(metrics, step);
    }
    if (replicas.size() != config.processes()) {
      throw new IllegalStateException("the run is configured for " + config.processes() + " processes, this job has "
          + replicas.size());
    }
    stop = syncReplicas(stop);
    int global = config.batchSize() * replicas.size() * config.gradAccum();
    Progress bar = new Progress("train", stop, writer ? progressOut : null);
    double lossSum = 0;
    int lossCount = 0;
    double lastLoss = Double.NaN;
    long startStep = step;
    long t0 = System.nanoTime();
    Path last = null;
    try (Batches batches = new Batches(data, global, config.seed(), config.flip(),
        config.classDropout(), config.model().numClasses() > 0)) {
      while (step < stop) {
        double lr = config.lrSchedule().at((int) step, config.steps(), config.lr(), config.warmupSteps());
        StepResult r = trainStep(batches.get(step), lr);
        step++;
        if (r.applied()) {
          lossSum += r.loss;
          lossCount++;
          lastLoss = r.loss;
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double ips = (step - startStep) * global / Math.max(elapsed, 1e-9);
        bar.status(String.format(Locale.ROOT, "loss %.4f  %.1f img/s", r.loss, ips));
        bar.update(step);
        if (writer && (step % config.logEvery() == 0 || step == stop)) {
          if (lossCount > 0) {
            lastLoss = lossSum / lossCount; // what the run reports as its loss: metrics.csv's row, not one step's
          }
          String row = String.format(Locale.ROOT, "%d,%.6f,%.3e,%.4f,%.2f,%.1f%n", step,
              lossCount > 0 ? lossSum / lossCount : Double.NaN, lr, r.gradNorm, ips, elapsed);
          Files.writeString(metrics, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
          if (quiet) {
            LOG.info(String.format(Locale.ROOT, "step %d/%d loss %.4f lr %.2e %.1f img/s", step, config.steps(),
                lossSum / lossCount, lr, ips));
          }
          lossSum = 0;
          lossCount = 0;
        }
        if (writer && (step % config.checkpointEvery() == 0 || step == stop)) {
          last = Checkpoint.save(runDir, config, step, model, ema, opt, classNames());
        }
        if (writer && config.sampleEvery() > 0 && step % config.sampleEvery() == 0 && step < config.steps()) {
          onSample.accept(step);
        }
      }
    }
    bar.done();
    if (skipped > 0) {
      LOG.warn("warning: " + skipped + " non-finite steps were skipped in this session (--on-nonfinite skip)");
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    return new Result(step, lastLoss, (step - startStep) * global / Math.max(elapsed, 1e-9), last);
  }

  /**
   * Makes every replica start from replica 0's state (weights, EMA, optimizer moments, step counts:
   * DDP's initial broadcast, which also carries a resumed run to the others) and agree on where to stop.
   */
  private long syncReplicas(long stop) {
    if (replicas.size() == 1) {
      return stop;
    }
    java.util.List<Tensor> state = new java.util.ArrayList<>(model.parameters().values());
    state.addAll(ema.model().parameters().values());
    state.addAll(opt.state().values());
    replicas.broadcast(state);
    long[] counters = replicas.broadcast(new long[] {step, opt.stepCount(), stop});
    step = counters[0];
    opt.setStepCount(counters[1]);
    return counters[2];
  }

  /**
   * Starts metrics.csv, or cuts it back to the rows up to {@code step}: after a crash it may hold rows
   * past the checkpoint a run resumes from, which the resumed run will log again.
   */
  private static void cutMetricsBackTo(Path metrics, long step) throws IOException {
    String header = "step,loss,lr,grad_norm,images_per_s,elapsed_s";
    if (!Files.exists(metrics)) {
      AtomicFiles.writeString(metrics, header + "\n");
      return;
    }
    java.util.List<String> lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
    StringBuilder kept = new StringBuilder(header).append('\n');
    int dropped = 0;
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      int comma = line.indexOf(',');
      long rowStep;
      try {
        rowStep = Long.parseLong(comma < 0 ? line.strip() : line.substring(0, comma));
      } catch (NumberFormatException e) {
        dropped++; // a half-written last line
        continue;
      }
      if (rowStep <= step) {
        kept.append(line).append('\n');
      } else {
        dropped++;
      }
    }
    if (dropped > 0) {
      AtomicFiles.writeString(metrics, kept.toString());
    }
  }

  /**
   * Loss and (pre-clipping) gradient norm of one step, and whether it was applied (false: a
   * non-finite step dropped under {@link NonFinitePolicy#SKIP}).
   */
  public record StepResult(double loss, double gradNorm, boolean applied) {}

  /** One optimizer step on {@code batch}: draws t and eps from (seed, step), then {@link #optimize}. */
  StepResult trainStep(Batches.Batch batch, double lr) {
    int b = config.batchSize();
    int global = b * replicas.size() * config.gradAccum();
    int c = config.model().inChannels();
    int s = config.model().imageSize();
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(Seeds.mix(config.seed(), batch.step(), 3)); // eps and dropout of this step
      SplittableRandom rng = new SplittableRandom(Seeds.mix(config.seed(), batch.step(), 4));
      int[] t = new int[global];
      for (int i = 0; i < global; i++) {
        t[i] = rng.nextInt(forward.schedule().steps());
      }
      Tensor x0 = Torch.tensor(batch.images(), global, c, s, s);
      Tensor eps = Torch.randn(global, c, s, s);
      int[] labels = batch.labels();
      // micro-batch j of replica r is the slice (j * replicas + r) * b of the global batch
      List<MicroBatch> micro = new java.util.ArrayList<>();
      for (int j = 0; j < config.gradAccum(); j++) {
        int from = (j * replicas.size() + replicas.rank()) * b;
        micro.add(new MicroBatch(x0.narrow(0, from, b), eps.narrow(0, from, b),
            java.util.Arrays.copyOfRange(t, from, from + b),
            labels == null ? null : java.util.Arrays.copyOfRange(labels, from, from + b)));
      }
      return optimize(micro, lr);
    }
  }

  /**
   * Algorithm 1, lines 4-5, for given x0, eps and t: x_t = sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t)
   * eps, loss between the network output and the target, backward, gradient clipping, AdamW, EMA.
   */
  public StepResult optimize(Tensor x0, Tensor eps, int[] t, int[] labels, double lr) {
    return optimize(List.of(new MicroBatch(x0, eps, t, labels)), lr);
  }

  /** A slice of a step's batch: its clean images, noise, timesteps and labels (null: unconditional). */
  record MicroBatch(Tensor x0, Tensor eps, int[] t, int[] labels) {}

  /**
   * One optimizer step over micro-batches of equal size (gradient accumulation): each micro-batch's
   * loss, divided by their number, is back-propagated in its own scope, so the gradients sum to
   * those of the mean loss over all of them; then the replicas' gradients are averaged, clipped, and
   * AdamW and the EMA step once.
   */
  StepResult optimize(List<MicroBatch> micro, double lr) {
    double loss = 0;
    double norm;
    try (PointerScope scope = new PointerScope()) {
      Tensor lossSum = Torch.scalar(0);
      for (MicroBatch m : micro) {
        try (PointerScope inner = new PointerScope()) {
          Tensor l = lossOf(m).div(Torch.s(micro.size()));
          l.backward();
          lossSum = Torch.keep(lossSum.add(l.detach()), scope);
        }
      }
      loss = replicas.size() > 1 ? averageGradients(lossSum) : lossSum.item_double();
      TensorVector params = new TensorVector(opt.parameters().toArray(new Tensor[0]));
      norm = torch.clip_grad_norm_(params, config.gradClip() > 0 ? config.gradClip() : Double.POSITIVE_INFINITY);
    }
    if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
      opt.zeroGrad(); // nothing of this step reaches the weights, the moments or the EMA
      return nonFinite(loss, norm);
    }
    skippedInARow = 0;
    opt.step(lr);
    ema.update(model, opt.stepCount() - 1);
    return new StepResult(loss, norm, true);
  }

  /** Averages the gradients over the replicas, in one bucket with the loss; returns the mean loss. */
  /** Algorithm 1, line 5: the loss of the network's output against its target at x_t. */
  private Tensor lossOf(MicroBatch m) {
    double[] tt = new double[m.t().length];
    for (int i = 0; i < tt.length; i++) {
      tt[i] = m.t()[i];
    }
    Tensor a = forward.sqrtAlphaBar(m.t());
    Tensor sd = forward.sqrtOneMinusAlphaBar(m.t());
    Tensor xt = a.mul(m.x0()).add(sd.mul(m.eps()));
    Tensor out = model.forward(xt, tt, m.labels(), new Forward(config.precision(), true));
    return config.loss().of(out, config.prediction().target(m.x0(), m.eps(), a, sd), config.huberDelta());
  }

  private double averageGradients(Tensor loss) {
    java.util.List<Tensor> bucket = new java.util.ArrayList<>();
    for (Tensor p : opt.parameters()) {
      bucket.add(p.grad());
    }
    Tensor meanLoss = loss.detach().reshape(1).clone();
    bucket.add(meanLoss);
    replicas.average(bucket);
    return meanLoss.item_double();
  }

  /** Applies the {@link NonFinitePolicy} to a step whose loss or gradient norm is not finite. */
  private StepResult nonFinite(double loss, double norm) {
    long n = step + 1; // steps are counted from 1, as in the logs and metrics.csv
    String what = String.format(Locale.ROOT, "step %d of %d: loss %s, gradient norm %s", n, config.steps(),
        fmt(loss), fmt(norm));
    if (nonFinitePolicy == NonFinitePolicy.SKIP && skippedInARow + 1 < NonFinitePolicy.MAX_CONSECUTIVE_SKIPS) {
      skipped++;
      skippedInARow++;
      LOG.warn("warning: " + what + "; step skipped (" + skipped + " skipped in this session)");
      return new StepResult(loss, norm, false);
    }
    String newest;
    try {
      newest = runDir == null ? "replica 0 names the newest checkpoint"
          : io.jdiffusion.model.Checkpoints.latest(runDir).map(p -> "the newest checkpoint, " + p + ", holds the last good state")
              .orElse("no checkpoint has been written yet");
    } catch (IOException e) {
      newest = "the checkpoints could not be listed (" + e.getMessage() + ")";
    }
    String why = nonFinitePolicy == NonFinitePolicy.SKIP
        ? "; " + NonFinitePolicy.MAX_CONSECUTIVE_SKIPS + " steps in a row were not finite" : "";
    throw new NonFiniteStepException(n, what + why + "; the step was not applied and training stopped; " + newest);
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : Double.toString(v);
  }

  /**
   * Frees the network's, the EMA's and the optimizer's native memory now; the trainer (and a
   * {@code TrainedModel} made from its EMA) must not be used afterwards.
   */
  @Override
  public void close() {
    opt.close();
    ema.close();
    model.close();
  }

  /** The dataset's class names when the model is class-conditional and they match its classes, else none. */
  public java.util.List<String> classNames() {
    int classes = config.model().numClasses();
    return classes > 0 && data.classNames().size() == classes ? data.classNames() : java.util.List.of();
  }
}
