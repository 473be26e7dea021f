package io.jdiffusion.cli;

import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.pipeline.SampleGrid;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.report.LossCurve;
import io.jdiffusion.report.RunLayout;
import io.jdiffusion.report.RunReport;
import io.jdiffusion.schedule.BetaSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.Json;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.train.Checkpoint;
import io.jdiffusion.train.Loss;
import io.jdiffusion.train.LrSchedule;
import io.jdiffusion.train.NonFinitePolicy;
import io.jdiffusion.train.RunLock;
import io.jdiffusion.train.TrainConfig;
import io.jdiffusion.train.Trainer;
import io.jdiffusion.report.RunPictures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train}: trains a U-Net on a dataset into a run directory, then samples a grid. */
@Command(name = "train",
    header = "Train a diffusion model; by default a tiny U-Net on the embedded Fashion-MNIST subset (about 10 minutes on 2 cores).",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion train                                   # the quick start: runs/quickstart",
        "jdiffusion train --data mnist --steps 3000 -o runs/mnist",
        "jdiffusion train --preset reference --class-conditional --data fashion-mnist -o runs/ref",
        "jdiffusion train --resume runs/ref --steps 80000     # continue a run",
        "jdiffusion train --nproc 2 --steps 200 -o runs/ddp   # data-parallel, 2 processes"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train a diffusion model. With no options: the tiny U-Net on the embedded Fashion-MNIST subset,",
        "about 10 minutes on 2 CPU cores, ending with a sample grid in RUN/samples/final.png, the loss curve",
        "RUN/loss.png, the strips and GIF in RUN/strips and the page RUN/report.html."})
public final class TrainCommand implements Callable<Integer> {
  static {
    PresetDefaults.publish(); // the defaults its help shows, from the presets themselves
  }

  @Mixin DeviceFlag device;
  @Option(names = {"-o", "--out"}, description = "Run directory (default: ${DEFAULT-VALUE}).", defaultValue = "runs/quickstart")
  Path out;

  @Option(names = "--resume", paramLabel = "RUN|CHECKPOINT",
      description = "Continue the run in this directory (or whose newest checkpoint this is) from its newest checkpoint."
      + " The run keeps its configuration: only --steps, --threads, --final-samples, --[no-]pictures, --on-nonfinite"
      + " and -q may be given with it; --final-samples, --[no-]pictures and -q default to the run's last session.")
  Path resume;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Options that may change when a run is resumed; every other option would change the run itself. */
  private static final java.util.Set<String> RESUMABLE = java.util.Set.of("--resume", "--steps", "--threads",
      "--final-samples", "--pictures", "--on-nonfinite", "--quiet", "--dry-run", "--help", "--version",
      "--nproc", "--world-size", "--master", "--network", "--dist-timeout", "--device"); // process counts: checked to match

  @Option(names = "--data", description = "Dataset: fashion-mnist-subset (embedded, default), fashion-mnist[:DIR], "
      + "fashion-mnist-test[:DIR], mnist[:DIR], cifar10[:DIR], emoji[:DIR] (get them with 'data fetch NAME'), "
      + "a folder of images (subfolders = classes), or random-crop:FOLDER.")
  String data;

  @Option(names = "--preset", description = "Starting configuration: quick (tiny U-Net, default) or reference (6.5 M-parameter U-Net, long runs).",
      defaultValue = "quick")
  String preset;

  @Option(names = "--image-size", description = "Model resolution (default: the dataset's: 28 Fashion-MNIST and MNIST, "
      + "32 CIFAR-10 and folders, 64 emoji).")
  Integer imageSize;

  @Option(names = "--channels", description = "1 grey or 3 RGB (default: dataset's).")
  Integer channels;

  @Option(names = "--steps", description = "Optimizer steps (default: ${sys:jdiffusion.default.steps}).") Integer steps;
  @Option(names = "--batch-size", description = "Images per step (default: ${sys:jdiffusion.default.batch-size}).") Integer batchSize;
  @Option(names = "--lr", description = "Peak learning rate (default: ${sys:jdiffusion.default.lr}).") Double lr;
  @Option(names = "--warmup", description = "Linear warm-up steps (default: ${sys:jdiffusion.default.warmup}).") Integer warmup;
  @Option(names = "--lr-schedule", description = "constant or cosine (default: ${sys:jdiffusion.default.lr-schedule}).") String lrSchedule;
  @Option(names = "--weight-decay", description = "AdamW weight decay (default: ${sys:jdiffusion.default.weight-decay}).") Double weightDecay;
  @Option(names = "--grad-clip", description = "Max gradient norm (0 = off) (default: ${sys:jdiffusion.default.grad-clip}).") Double gradClip;
  @Option(names = "--ema-decay", description = "EMA decay (default: ${sys:jdiffusion.default.ema-decay}).") Double emaDecay;
  @Option(names = "--prediction", description = "eps, x0 or v (default: ${sys:jdiffusion.default.prediction}).") String prediction;
  @Option(names = "--loss", description = "l2, l1 or huber (default: ${sys:jdiffusion.default.loss}).") String loss;
  @Option(names = "--beta-schedule", description = "linear, cosine, quadratic or sigmoid (default: ${sys:jdiffusion.default.beta-schedule}).") String betaSchedule;
  @Option(names = "--timesteps", description = "Diffusion steps T (default: ${sys:jdiffusion.default.timesteps}).") Integer timesteps;
  @Option(names = "--precision", description = "fp32 or bf16 (mixed, fp32 master weights) (default: ${sys:jdiffusion.default.precision}).") String precision;
  @Option(names = "--threads", description = "libtorch threads (default: 0 = one per core; with --nproc the cores "
      + "split evenly).") Integer threads;
  @Option(names = "--seed", description = "Seed for weights, batches, timesteps and noise (default: ${sys:jdiffusion.default.seed}).") Long seed;
  @Option(names = "--flip", description = "Random horizontal flips.", negatable = true) Boolean flip;
  @Option(names = "--base-channels", description = "U-Net base channels (default: ${sys:jdiffusion.default.base-channels}).") Integer baseChannels;
  @Option(names = "--channel-mults", split = ",", description = "Channel multiplier per level, e.g. 1,2,2 (default: ${sys:jdiffusion.default.channel-mults}).") List<Integer> mults;
  @Option(names = "--res-blocks", description = "ResBlocks per level (default: ${sys:jdiffusion.default.res-blocks}).") Integer resBlocks;
  @Option(names = "--attention-res", split = ",", description = "Resolutions with self-attention, e.g. 7 (default: ${sys:jdiffusion.default.attention-res}).") List<Integer> attnRes;
  @Option(names = "--heads", description = "Attention heads (default: ${sys:jdiffusion.default.heads}).") Integer heads;
  @Option(names = "--dropout", description = "ResBlock dropout (default: ${sys:jdiffusion.default.dropout}).") Double dropout;
  @Option(names = "--groups", description = "GroupNorm groups (default: ${sys:jdiffusion.default.groups}).") Integer groups;
  @Option(names = "--class-conditional", description = "Condition on the dataset's labels (with label dropout).")
  boolean conditional;
  @Option(names = "--class-dropout", description = "Label dropout probability (conditional only) (default: ${sys:jdiffusion.default.class-dropout}).") Double classDropout;
  @Option(names = "--log-every", description = "Steps between metrics rows (default: ${sys:jdiffusion.default.log-every}).") Integer logEvery;
  @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: ${sys:jdiffusion.default.checkpoint-every}).") Integer checkpointEvery;
  @Option(names = "--keep-checkpoints", description = "Checkpoints to keep (default: ${sys:jdiffusion.default.keep-checkpoints}).") Integer keep;
  @Option(names = "--sample-every", description = "Steps between preview grids (0 = only at the end) (default: ${sys:jdiffusion.default.sample-every}).") Integer sampleEvery;
  @Option(names = "--final-samples", description = "Images in the final grid (0 = none; default ${DEFAULT-VALUE}).",
      defaultValue = "64") int finalSamples;
  @Option(names = "--pictures", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "At the end, draw RUN/strips (forward and reverse strips, denoising GIF) and write RUN/report.html "
          + "(default: on; --no-pictures skips them).")
  boolean pictures;
  @Option(names = "--on-nonfinite", defaultValue = "stop",
      description = "When a step's loss or gradient is NaN or infinite: stop (default; the step is not applied and the "
          + "newest checkpoint holds the last good state) or skip (drop the step, count it; stops after "
          + NonFinitePolicy.MAX_CONSECUTIVE_SKIPS + " in a row).")
  String onNonFinite;
  @Option(names = {"-q", "--quiet"}, description = "No progress bar; a log line every --log-every steps.") boolean quiet;
  @Option(names = "--dry-run", description = "Print the resolved configuration and exit.") boolean dryRun;
  @Option(names = "--grad-accum", description = "Micro-batches of --batch-size accumulated per optimizer step "
      + "(the same step as a batch that many times larger, in less memory; default 1).")
  Integer gradAccum;
  @Option(names = "--nproc", description = "Data-parallel processes on this machine (c10d Gloo; --batch-size is per "
      + "process, --threads default: the cores split evenly; default 1).")
  Integer nproc;
  @Option(names = "--world-size", description = "Processes of a job over several machines: this one is rank 0, start "
      + "the others with 'train-worker --rank R --world-size N --master HOST:PORT' (default: none, one machine).")
  Integer worldSize;
  @Option(names = "--master", description = "HOST:PORT where rank 0 serves the rendezvous (with --world-size; "
      + "default: with --nproc alone, 127.0.0.1 and a free port).")
  String master;
  @Option(names = "--network", defaultValue = "lo", description = "Network interface (lo, eth0, ...) or host name "
      + "Gloo binds to (default: ${DEFAULT-VALUE}; use the machine's address for --world-size).")
  String network;
  @Option(names = "--dist-timeout", defaultValue = "300", description = "Seconds to wait for the other processes, at "
      + "the start and in every step, before giving up (default: ${DEFAULT-VALUE}).")
  long distTimeout;

  @Override
  public Integer call() throws Exception {
    Integer launchedAs = torchrunRank(System.getenv());
    if (launchedAs != null && launchedAs > 0) { // torchrun-style: every process runs this command; rank > 0 is a worker
      TrainWorkerCommand worker = new TrainWorkerCommand();
      worker.rank = launchedAs;
      worker.worldSize = worldSize;
      worker.master = master;
      worker.network = network;
      worker.timeout = distTimeout;
      worker.threads = threads;
      worker.device = device;
      return worker.call();
    }
    device.use(DataParallel.localRank(System.getenv()));
    NonFinitePolicy policy = NonFinitePolicy.parse(onNonFinite);
    if (finalSamples < 0 || finalSamples > 10_000) {
      throw new IllegalArgumentException("--final-samples must be between 0 and 10000, got " + finalSamples);
    }
    Path runDir = resume != null ? resume : out;
    if (runDir.toString().isBlank()) {
      throw new IllegalArgumentException("the run directory must not be empty (" + (resume != null ? "--resume" : "--out")
          + " '')");
    }
    if (resume == null) {
      TrainConfig cfg = resolve();
      if (dryRun) {
        System.out.println(Json.write(cfg));
        return ExitCode.OK;
      }
      refuseOccupied(runDir, true); // before anything is written
      boolean existed = Files.exists(runDir);
      Outputs.folder(runDir, "--out"); // creatable and writable, before the data is read
      ImageDataset ds;
      try {
        ds = openData(cfg);
      } catch (RuntimeException e) {
        if (!existed) { // leave nothing behind for a run that never started
          try (var left = Files.list(runDir)) {
            if (left.findAny().isEmpty()) {
              Files.deleteIfExists(runDir);
            }
          }
        }
        throw e;
      }
      try (RunLock lock = RunLock.acquire(runDir, System.err::println)) {
        refuseOccupied(runDir, false); // again under the lock: another trainer may have started here meanwhile
        return train(cfg, ds, runDir, policy);
      }
    }
    Path dir = resumeDirectory(resume);
    refuseChangesOnResume(dir);
    if (dryRun) {
      System.out.println(Json.write(resumedConfig(dir)));
      return ExitCode.OK;
    }
    try (RunLock lock = RunLock.acquire(dir, System.err::println)) {
      if (Files.isRegularFile(resume)) { // checked again under the lock: it must still be the newest
        resumeDirectory(resume);
      }
      TrainConfig cfg = resumedConfig(dir);
      rememberedFlags(dir);
      return train(cfg, openData(cfg), dir, policy);
    }
  }

  /**
   * The run directory that {@code --resume} names: the directory itself, or a checkpoint file in its
   * {@code checkpoints/} folder, which must then be the run's newest (training continues from the
   * newest; an older one would be silently overtaken).
   */
  private static Path resumeDirectory(Path target) throws java.io.IOException {
    if (Files.isDirectory(target)) {
      return target;
    }
    if (!Files.isRegularFile(target)) {
      throw new IllegalArgumentException(target + ": no such run directory or checkpoint");
    }
    Path folder = target.toAbsolutePath().normalize().getParent();
    if (folder == null || !folder.getFileName().toString().equals("checkpoints") || folder.getParent() == null) {
      throw new IllegalArgumentException(target + ": not a checkpoint of a run directory (RUN/checkpoints/step-N.safetensors)");
    }
    Path runDir = folder.getParent();
    List<Path> all = Checkpoint.list(runDir);
    Path newest = all.isEmpty() ? null : all.get(all.size() - 1).toAbsolutePath().normalize();
    if (!target.toAbsolutePath().normalize().equals(newest)) {
      throw new IllegalArgumentException(target + " is not the newest checkpoint of " + runDir + " (that is " + newest
          + "); training continues from the newest: move the newer ones out of " + folder + " to go back");
    }
    return runDir;
  }

  /** The run-scoped flags of a session, remembered in RUN/session.json so that --resume keeps them. */
  record SessionFlags(int finalSamples, boolean pictures, boolean quiet) {}

  static final String SESSION = "session.json";

  /** On --resume: the flags not given now take the values the run was started (or last resumed) with. */
  private void rememberedFlags(Path runDir) {
    Path f = runDir.resolve(SESSION);
    if (!Files.isRegularFile(f)) {
      return; // runs from before session.json: the defaults
    }
    SessionFlags stored;
    try {
      stored = Json.readTolerant(Files.readString(f), new SessionFlags(finalSamples, pictures, quiet),
          SessionFlags.class, f.toString(), System.err::println);
    } catch (java.io.IOException | IllegalArgumentException e) {
      System.err.println("warning: " + f + " unreadable (" + e.getMessage() + "); using the defaults");
      return;
    }
    var given = spec.commandLine().getParseResult();
    finalSamples = given.hasMatchedOption("--final-samples") ? finalSamples : stored.finalSamples();
    pictures = given.hasMatchedOption("--pictures") ? pictures : stored.pictures();
    quiet = given.hasMatchedOption("--quiet") ? quiet : stored.quiet();
  }

  static ImageDataset openData(TrainConfig cfg) {
    ImageDataset ds = Datasets.open(cfg.data(), cfg.model().imageSize(), cfg.model().inChannels());
    if (cfg.model().numClasses() > 0 && ds.numClasses() != cfg.model().numClasses()) {
      throw new IllegalArgumentException("the model expects " + cfg.model().numClasses() + " classes, "
          + ds.describe() + " has " + ds.numClasses());
    }
    return ds;
  }

  /**
   * A new run goes into a new or empty folder only: never over someone's files, nor over another run
   * (checked before anything is written).
   */
  private static void refuseOccupied(Path runDir, boolean probeLock) throws java.io.IOException {
    if (!Checkpoint.list(runDir).isEmpty()) {
      throw new IllegalArgumentException(runDir + " already holds a run; use --resume " + runDir
          + " to continue it or --out for a new directory");
    }
    if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
      throw new IllegalArgumentException(runDir + " is a file, not a run directory");
    }
    if (probeLock && Files.isRegularFile(runDir.resolve(RunLock.FILE))) {
      RunLock.acquire(runDir, System.err::println).close(); // says "in use" when another trainer holds it
    }
    if (Files.isDirectory(runDir)) {
      try (var entries = Files.list(runDir)) {
        java.util.List<String> names = entries.map(p -> p.getFileName().toString())
            .filter(n -> !n.equals(RunLock.FILE)).sorted().limit(3).toList();
        if (!names.isEmpty()) {
          throw new IllegalArgumentException(runDir + " is not empty (" + String.join(", ", names)
              + (names.size() == 3 ? ", ..." : "") + ") and holds no run; train writes a new run into a new or empty"
              + " folder only: choose another --out");
        }
      }
    }
  }

  /**
   * A torchrun-style launch (RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, as torchrun, Slurm
   * scripts and Kubernetes operators set them): fills --world-size and --master from them unless given,
   * and returns RANK; null when WORLD_SIZE is not set. LOCAL_RANK only picks a GPU, which CPU runs do not use.
   */
  Integer torchrunRank(java.util.Map<String, String> env) {
    if (!env.containsKey("WORLD_SIZE") || nproc != null) {
      return null;
    }
    try {
      int rank = Integer.parseInt(env.getOrDefault("RANK", "0").strip());
      if (worldSize == null) {
        worldSize = Integer.parseInt(env.get("WORLD_SIZE").strip());
      }
      if (master == null && env.containsKey("MASTER_ADDR")) {
        master = env.get("MASTER_ADDR").strip() + ":" + env.getOrDefault("MASTER_PORT", "29500").strip();
      }
      return rank;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("RANK and WORLD_SIZE must be whole numbers, got RANK=" + env.get("RANK")
          + " WORLD_SIZE=" + env.get("WORLD_SIZE"));
    }
  }

  /** The processes of the job: --world-size, --nproc or 1. */
  private int processes() {
    if (nproc != null && worldSize != null) {
      throw new IllegalArgumentException("--nproc starts processes on this machine, --world-size waits for processes "
          + "started by hand: give one of them");
    }
    int n = worldSize != null ? worldSize : nproc != null ? nproc : 1;
    if (n < 1 || n > 4096) {
      throw new IllegalArgumentException((worldSize != null ? "--world-size" : "--nproc")
          + " must be between 1 and 4096, got " + n);
    }
    if (worldSize != null && master == null && n > 1) {
      throw new IllegalArgumentException("--world-size needs --master HOST:PORT, an address the other machines reach");
    }
    return n;
  }

  private Integer train(TrainConfig cfg, ImageDataset ds, Path runDir, NonFinitePolicy policy) throws Exception {
    if (distTimeout < 1 || distTimeout > 86_400) {
      throw new IllegalArgumentException("--dist-timeout must be between 1 and 86400 seconds, got " + distTimeout);
    }
    io.jdiffusion.store.AtomicFiles.writeString(runDir.resolve(SESSION), Json.write(new SessionFlags(finalSamples,
        pictures, quiet)));
    System.err.println("data: " + ds.describe());
    Trainer trainer = new Trainer(cfg, ds, runDir, resume != null, quiet).onNonFinite(policy)
        .progressTo(quiet ? null : System.err);
    System.err.printf(Locale.ROOT, "model: U-Net, %,d parameters, %s; run directory %s%n",
        trainer.model().parameterCount(), cfg.precision().name().toLowerCase(Locale.ROOT), runDir);
    if (trainer.step() >= cfg.steps()) {
      System.err.printf("the run is already at step %d of %d; pass --steps to train longer%n", trainer.step(), cfg.steps());
      return ExitCode.OK;
    }
    TrainedModel ema = trainer.emaModel();
    Precision precision = cfg.precision();
    trainer.onSample(step -> SampleGrid.write(ema, runDir.resolve(RunLayout.SAMPLES)
        .resolve(String.format("step-%07d.png", step)), 16, cfg.precision()));
    Trainer.Result r;
    Integer asked = worldSize != null ? worldSize : nproc;
    if (resume != null && asked != null && asked != cfg.processes()) {
      throw new IllegalArgumentException("the run trains with " + cfg.processes() + " processes (its global batch is "
          + cfg.batchSize() + " x " + cfg.processes() + "); it resumes with the same number, not " + asked);
    }
    if (worldSize != null && worldSize > 1 && master == null) {
      throw new IllegalArgumentException("--world-size needs --master HOST:PORT, an address the other machines reach");
    }
    if (cfg.processes() > 1) {
      int local = worldSize != null ? 1 : cfg.processes(); // a resumed run starts its processes again here
      try (DataParallel job = DataParallel.start(local, worldSize != null ? worldSize : 0, master, network,
          distTimeout * 1000, cfg, onNonFinite, device.device)) {
        System.err.printf(Locale.ROOT, "data-parallel: %d processes x %d images per step, %d threads each%n",
            cfg.processes(), cfg.batchSize(), cfg.threads());
        try {
          r = trainer.replicas(job.replicas()).run();
        } catch (RuntimeException e) {
          if (e instanceof io.jdiffusion.train.NonFiniteStepException) {
            throw e;
          }
          throw job.lost(e, io.jdiffusion.model.Checkpoints.latest(runDir).map(p -> "the newest checkpoint is " + p)
              .orElse("no checkpoint was written"));
        }
        job.finish();
        System.err.printf(Locale.ROOT, "collectives: %.1f s in all, %.1f MB sent per process%n",
            job.replicas().collectiveSeconds(), job.replicas().collectiveBytes() / 1e6);
      }
    } else {
      r = trainer.run();
    }
    drawLossCurve(runDir);
    ema.exportWeights(runDir.resolve("weights.safetensors"), false);
    System.out.printf(Locale.ROOT, "trained %d steps, loss %.4f (metrics.csv's last row), %.1f images/s; checkpoint %s%n",
        r.steps(), r.finalLoss(), r.imagesPerSecond(), r.checkpoint());
    if (finalSamples > 0) {
      Path grid = runDir.resolve("samples").resolve("final.png");
      Phase.begin("sampling the final grid of " + finalSamples + " images", quiet);
      SampleGrid.write(ema, grid, finalSamples, precision);
      System.out.println("samples: " + grid);
    }
    if (pictures) {
      RunPictures.Written w = PicturesCommand.forRun(runDir, ema, ds, quiet);
      System.out.println("pictures: " + w.forward().getParent());
      System.out.println("report: " + RunReport.write(runDir));
    }
    return ExitCode.OK;
  }

  /** loss.png from the whole metrics.csv, resumed sessions included; a picture must not fail the run. */
  private static void drawLossCurve(Path runDir) {
    try {
      LossCurve.write(runDir);
    } catch (IOException | RuntimeException e) {
      System.err.println("warning: " + runDir.resolve("loss.png") + " not drawn (" + e.getMessage() + ")");
    }
  }

  /** --resume keeps the run's configuration: options that would change it are refused, by name. */
  private void refuseChangesOnResume(Path dir) {
    java.util.List<String> refused = new java.util.ArrayList<>();
    for (var o : spec.commandLine().getParseResult().matchedOptions()) {
      boolean sameOut = o.longestName().equals("--out") && out.toAbsolutePath().normalize()
          .equals(dir.toAbsolutePath().normalize());
      if (!RESUMABLE.contains(o.longestName()) && !sameOut) {
        refused.add(o.longestName());
      }
    }
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException("--resume continues " + dir + " with its own configuration (" + dir
          + "/config.json); " + String.join(", ", refused) + " would change it: leave "
          + (refused.size() == 1 ? "it" : "them") + " out, or start a new run with --out");
    }
  }

  /** The run's configuration, with the --steps and --threads given now. */
  private TrainConfig resumedConfig(Path dir) throws Exception {
    TrainConfig c = Checkpoint.loadLatest(dir).config();
    return c.toBuilder().steps(or(steps, c.steps())).threads(or(threads, c.threads())).build();
  }

  /** The preset with every given option applied. */
  TrainConfig resolve() {
    if (channels != null && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("--channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    if (classDropout != null && !conditional) {
      throw new IllegalArgumentException("--class-dropout applies to class-conditional models only: add --class-conditional"
          + " or leave it out");
    }
    TrainConfig p = switch (preset.toLowerCase(Locale.ROOT)) {
      case "quick" -> TrainConfig.quick();
      case "reference" -> TrainConfig.reference(); // model replaced below
      default -> throw new IllegalArgumentException("unknown preset '" + preset + "' (expected quick or reference)");
    };
    String dataSpec = data != null ? data : p.data();
    Datasets.Shape shape = Datasets.nativeShape(dataSpec);
    int ch = channels != null ? channels : shape.channels();
    int size = imageSize != null ? imageSize : shape.size();
    int classes = 0;
    if (conditional) {
      classes = Datasets.open(dataSpec, size, ch).numClasses();
      if (classes == 0) {
        throw new IllegalArgumentException("--class-conditional needs a labelled dataset (class subfolders)");
      }
    }
    UNetConfig m = preset.equalsIgnoreCase("reference")
        ? UNetConfig.reference(ch, size, classes) : UNetConfig.tiny(ch, size, classes);
    UNetConfig.Builder mb = m.toBuilder().attentionResolutions(attnRes) // null: the lowest level's
        .baseChannels(or(baseChannels, m.baseChannels())).channelMults(or(mults, m.channelMults()))
        .numResBlocks(or(resBlocks, m.numResBlocks())).heads(or(heads, m.heads())).dropout(or(dropout, m.dropout()))
        .groups(or(groups, m.groups()));
    ScheduleConfig s0 = p.schedule();
    ScheduleConfig s = new ScheduleConfig(betaSchedule != null ? BetaSchedule.parse(betaSchedule) : s0.betaSchedule(),
        or(timesteps, s0.steps()),
        s0.betaStart(), s0.betaEnd());
    TrainConfig.Builder b = p.toBuilder().data(dataSpec).model(mb.build()).schedule(s)
        .batchSize(or(batchSize, p.batchSize())).steps(or(steps, p.steps())).lr(or(lr, p.lr()))
        .warmupSteps(or(warmup, p.warmupSteps())).weightDecay(or(weightDecay, p.weightDecay()))
        .gradClip(or(gradClip, p.gradClip())).emaDecay(or(emaDecay, p.emaDecay())).flip(or(flip, p.flip()))
        .classDropout(or(classDropout, p.classDropout())).seed(or(seed, p.seed())).threads(or(threads, p.threads()))
        .logEvery(or(logEvery, p.logEvery())).checkpointEvery(or(checkpointEvery, p.checkpointEvery()))
        .keepCheckpoints(or(keep, p.keepCheckpoints())).sampleEvery(or(sampleEvery, p.sampleEvery()))
        .processes(processes()).gradAccum(or(gradAccum, p.gradAccum()));
    if (threads == null && processes() > 1) {
      b.threads(DataParallel.threadsPerProcess(nproc != null ? nproc : 1));
    }
    if (prediction != null) {
      b.prediction(Prediction.parse(prediction));
    }
    if (loss != null) {
      b.loss(Loss.parse(loss));
    }
    if (lrSchedule != null) {
      b.lrSchedule(LrSchedule.parse(lrSchedule));
    }
    if (precision != null) {
      b.precision(Precision.parse(precision));
    }
    return b.build();
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
