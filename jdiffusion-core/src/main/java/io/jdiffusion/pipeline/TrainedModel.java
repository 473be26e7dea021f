package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.hub.HubModels;
import io.jdiffusion.hub.HubRef;
import io.jdiffusion.interop.DiffusersFolder;
import io.jdiffusion.interop.DiffusersScheduler;
import io.jdiffusion.model.Checkpoints;
import io.jdiffusion.model.ModelFile;
import io.jdiffusion.model.ModelSpec;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network ready for sampling, rebuilt from a file alone: the U-Net (EMA weights by default), its
 * noise schedule, what it predicts, and the names of its classes.
 *
 * <p>Loads a run directory (its newest checkpoint), a checkpoint file, an exported weights file
 * ({@link #exportWeights}: diffusers-style names, config in the metadata), or a diffusers model folder
 * (UNet2DModel or DDPMPipeline layout, {@link DiffusersFolder}).
 *
 * @param classNames the dataset's class names in label order (metadata "class_names"), or empty when
 *     unknown: unconditional models, and files written before names were stored (Fashion-MNIST runs
 *     fall back to {@link Checkpoints#legacyClassNames})
 * @param sampling how the model samples when the caller chooses nothing: the defaults stored in its
 *     file (metadata "sampling"), else DDIM's defaults for jdiffusion's own models; for a diffusers
 *     folder, what its pipeline and scheduler do ({@link #diffusersDefaults})
 * @param guidance the classifier-free guidance weight used when a class is given and no weight
 */
public record TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction, List<String> classNames,
    SampleOptions sampling, double guidance) {
  private static final Logger LOG = LoggerFactory.getLogger(TrainedModel.class);

  public TrainedModel {
    if (sampling == null) {
      throw new IllegalArgumentException("sampling defaults must be given");
    }
    if (!(guidance >= 0) || !Double.isFinite(guidance)) {
      throw new IllegalArgumentException("guidance must be a finite weight >= 0, got " + guidance);
    }
    classNames = List.copyOf(classNames);
    int classes = net.config().numClasses();
    if (!classNames.isEmpty() && classNames.size() != classes) {
      throw new StoreException(classNames.size() + " class names for a model with " + classes + " classes");
    }
  }

  /** A model with these sampling defaults and guidance 1. */
  public TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction, List<String> classNames,
      SampleOptions sampling) {
    this(net, scheduleConfig, prediction, classNames, sampling, 1);
  }

  /** The same model sampling by default with {@code options} and {@code guidance}. */
  public TrainedModel withDefaults(SampleOptions options, double guidance) {
    return new TrainedModel(net, scheduleConfig, prediction, classNames, options, guidance);
  }

  /** A model that samples with DDIM's defaults. */
  public TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction, List<String> classNames) {
    this(net, scheduleConfig, prediction, classNames, SampleOptions.defaultsFor(Samplers.DDIM, scheduleConfig.steps()));
  }

  /** A model without class names that samples with DDIM's defaults. */
  public TrainedModel(UNet net, ScheduleConfig scheduleConfig, Prediction prediction) {
    this(net, scheduleConfig, prediction, List.of());
  }

  /**
   * What a diffusers pipeline does when called with nothing but a generator: the scheduler class's
   * sampler with the config's timestep_spacing, clip_sample and variance_type, and the pipeline's
   * num_inference_steps default (DDPMPipeline 1000, DDIMPipeline 50; capped at T, where diffusers'
   * set_timesteps refuses more) or, for a model folder, the sampler's own default. DDIM's eta is 0
   * (DDIMPipeline's default; DDPMPipeline passes none).
   */
  static SampleOptions diffusersDefaults(DiffusersFolder.Loaded d) {
    DiffusersScheduler s = d.scheduler();
    Sampler sampler = s.sampler();
    int trainSteps = s.schedule().steps();
    int steps = d.steps().orElse(sampler.defaultSteps(trainSteps));
    SampleOptions o = SampleOptions.builder(sampler).clip(s.clip()).variance(s.variance()).spacing(s.spacing())
        .stepsOffset(s.stepsOffset()).alphaToOne(s.alphaToOne()).steps(Math.min(steps, trainSteps)).build();
    return s.samplingDefaults() == null ? o : SampleOptions.from(s.samplingDefaults(), o, LOG::warn);
  }

  public NoiseSchedule schedule() {
    return scheduleConfig.build();
  }

  public UNetConfig config() {
    return net.config();
  }

  /**
   * Loads from a run directory (or its checkpoints folder), checkpoint or weights file.
   *
   * @param useEma take the EMA weights of a checkpoint; false (the raw weights) is refused for weights
   *     files, which hold one set
   */
  public static TrainedModel load(Path given, boolean useEma) {
    Path path = Checkpoints.isCheckpointsFolder(given) ? given.toAbsolutePath().getParent() : given;
    if (Files.isRegularFile(path)) {
      return fromContents(Safetensors.read(path), path.toString(), useEma);
    }
    if (!Files.isDirectory(path)) {
      throw new StoreException(path + ": no such run directory or weights file"
          + io.jdiffusion.util.DidYouMean.hint(path.toString(), Pretrained.ids()).replace("?", "? (a shipped model)"));
    }
    if (DiffusersFolder.isFolder(path)) {
      if (!useEma) {
        throw new IllegalArgumentException(path + " is a diffusers folder, which holds one set of weights; raw weights "
            + "are only in jdiffusion checkpoints");
      }
      DiffusersFolder.Loaded d = DiffusersFolder.load(path, LOG::warn);
      var stored = d.scheduler().samplingDefaults();
      return new TrainedModel(d.net(), d.scheduler().schedule(), d.scheduler().prediction(), List.of(),
          diffusersDefaults(d), stored == null ? 1 : stored.guidance());
    }
    Path newest;
    try {
      newest = Checkpoints.latest(path).orElseThrow(
          () -> new StoreException(path + ": no checkpoints in " + path.resolve("checkpoints")));
    } catch (IOException e) {
      throw new StoreException(path + ": cannot list checkpoints (" + e.getMessage() + ")");
    }
    try {
      return fromContents(Safetensors.read(newest), newest.toString(), useEma);
    } catch (StoreException e) { // name an older checkpoint that does verify, as resuming does
      java.util.Optional<Path> valid;
      try {
        valid = Checkpoints.newestValidBefore(path, newest);
      } catch (IOException io) {
        valid = java.util.Optional.empty();
      }
      throw new StoreException(e.getMessage() + valid.map(v -> "; the newest valid checkpoint is " + v
          + ": load it by its path").orElse(""));
    }
  }

  /** Prefix that marks a name as a dataset wherever a model could also be meant: {@code data:mnist} (the data module's {@code Datasets.PREFIX}). */
  public static final String DATA_PREFIX = "data:";

  /** Prefix that marks a name as a model wherever a dataset could also be meant: {@code model:mnist}. */
  public static final String MODEL_PREFIX = "model:";

  /**
   * Resolves what a user names as a model ({@code model:} in front is allowed, as in every command):
   * nothing (the default shipped model), the name of a shipped model ("fashion-mnist", see {@link
   * Pretrained}), a Hugging Face Hub model {@code hf:ORG/NAME[@REVISION]} (downloaded to the cache,
   * {@link HubModels}), or a run directory, checkpoint, weights file or diffusers folder.
   */
  public static TrainedModel resolve(String spec, boolean useEma) {
    if (spec != null && spec.startsWith(DATA_PREFIX)) {
      throw new IllegalArgumentException("'" + spec + "' names a dataset; a model is needed here: a shipped name ("
          + String.join(", ", Pretrained.ids()) + "), a run directory, a checkpoint, a weights file, a diffusers folder "
          + "or hf:ORG/NAME");
    }
    if (spec != null && spec.startsWith(MODEL_PREFIX)) {
      spec = spec.substring(MODEL_PREFIX.length());
    }
    if (HubRef.isRef(spec)) {
      return load(HubModels.download(spec, LOG::warn), useEma);
    }
    boolean none = spec == null || spec.isBlank();
    Pretrained shipped = none ? Pretrained.defaultModel() : Pretrained.byId(spec);
    if (shipped != null && (none || !Files.exists(Path.of(spec)))) {
      if (!useEma) {
        throw new IllegalArgumentException("the shipped model " + shipped.id + " holds one set of weights (its run's EMA"
            + " weights); raw weights are only in checkpoints");
      }
      return shipped.load();
    }
    return load(Path.of(spec), useEma);
  }

  /**
   * Rebuilds a model from verified safetensors contents (a checkpoint or a weights file, any version;
   * {@link ModelFile}); {@code file} names them in errors.
   */
  static TrainedModel fromContents(Safetensors.Contents c, String file, boolean useEma) {
    ModelSpec spec = ModelFile.spec(c, file, LOG::warn);
    boolean checkpoint = ModelFile.isCheckpoint(c);
    if (checkpoint) {
      Checkpoints.steps(c.metadata(), file);
    }
    if (!useEma && !checkpoint) {
      throw new IllegalArgumentException(file + " is a weights file, which holds one set of weights (its run's EMA"
          + " weights); raw weights are only in checkpoints");
    }
    UNet net = new UNet(spec.unet());
    try {
      ModelFile.copyInto(c.tensors(), checkpoint ? (useEma ? "ema." : "model.") : "", net.parameters());
    } catch (StoreException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
    List<String> names = ModelFile.classNames(c.metadata(), file);
    if (names.isEmpty() && checkpoint) { // first-version checkpoints of Fashion-MNIST runs stored no names
      names = Checkpoints.legacyClassNames(spec.unet().numClasses(), trainingData(c));
    }
    TrainedModel m = new TrainedModel(net, spec.schedule(), spec.prediction(), names);
    java.util.Optional<io.jdiffusion.model.SamplingDefaults> d = ModelFile.samplingDefaults(c.metadata(), file,
        LOG::warn);
    return d.isEmpty() ? m : m.withDefaults(SampleOptions.from(d.get(), m.sampling(), LOG::warn),
        d.get().guidance());
  }

  /** The dataset spec of a checkpoint's training configuration, or "". */
  private static String trainingData(Safetensors.Contents c) {
    String json = c.metadata().getOrDefault("training", c.metadata().getOrDefault("config", "{}"));
    try {
      return Json.mapper().readTree(json).path("data").asText("");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return "";
    }
  }

  /**
   * Writes the weights with diffusers' UNet2DModel names and the model's description as metadata
   * ({@link ModelFile#WEIGHTS}).
   *
   * @param bf16 store bfloat16 (half the size) instead of float32
   */
  public void exportWeights(Path file, boolean bf16) throws IOException {
    Map<String, Safetensors.Entry> t = ModelFile.entries("", net.parameters());
    Safetensors.write(file, t, ModelFile.metadata(ModelFile.WEIGHTS, spec(), classNames, sampling.defaults(guidance)),
        bf16);
  }

  /** What rebuilds this model: network, schedule, prediction. */
  public ModelSpec spec() {
    return new ModelSpec(net.config(), scheduleConfig, prediction);
  }
}
