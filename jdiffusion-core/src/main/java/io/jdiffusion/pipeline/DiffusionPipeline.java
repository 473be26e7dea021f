package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained model, ready to sample: the library's front door.
 *
 * <pre>{@code
 * try (DiffusionPipeline p = DiffusionPipeline.load("fashion-mnist")) {
 *   Images images = p.generate(16, SampleOptions.dpmSolver(20).withSeed(7));
 *   images.writeGrid(Path.of("grid.png"));
 * }
 * }</pre>
 *
 * Loading starts the engine if nothing has (no set-up call needed); closing frees the network's
 * native memory at once. Image i of a call is drawn from seed + i, so it does not depend on n or on
 * the batch size.
 *
 * <p>A diffusers text-to-image pipeline folder (Stable Diffusion family) loads the same way and takes a
 * prompt:
 *
 * <pre>{@code
 * try (DiffusionPipeline p = DiffusionPipeline.load("path/to/stable-diffusion-v1-5")) {
 *   p.generate("a red fox in the snow", 4).writeGrid(Path.of("foxes.png"));
 * }
 * }</pre>
 *
 * <p>Threads: a pipeline serves one call at a time (guard it, or use one per thread); several pipelines
 * run at once on several threads, each on its own device and thread count ({@link PipelineSettings},
 * given to {@code load}; by default the process's device and thread count).
 */
public final class DiffusionPipeline implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DiffusionPipeline.class);
  private final TrainedModel model; // null for a text-to-image pipeline
  private final StableDiffusion text; // null for the other models
  private final PipelineSettings settings;
  private boolean closed;

  private DiffusionPipeline(TrainedModel model, PipelineSettings settings) {
    this(model, null, settings);
  }

  private DiffusionPipeline(TrainedModel model, StableDiffusion text, PipelineSettings settings) {
    this.model = model;
    this.text = text;
    this.settings = settings;
  }

  /**
   * Loads a shipped model by name ({@code fashion-mnist}, {@code fashion-mnist-cond}, {@code mnist}),
   * or a run directory, checkpoint or weights file by path (a checkpoint's EMA weights).
   */
  public static DiffusionPipeline load(String nameOrPath) {
    return load(nameOrPath, PipelineSettings.DEFAULT);
  }

  /** {@link #load(String)} onto the settings' device, computing with their thread count. */
  public static DiffusionPipeline load(String nameOrPath, PipelineSettings settings) {
    if (StableDiffusion.isPipeline(nameOrPath, LOG::warn)) {
      return load(StableDiffusion.folder(nameOrPath, null, LOG::warn), settings);
    }
    return new DiffusionPipeline(in(settings, () -> TrainedModel.resolve(nameOrPath, true)), settings);
  }

  /** Loads a run directory, checkpoint or weights file. */
  public static DiffusionPipeline load(Path path) {
    return load(path, PipelineSettings.DEFAULT);
  }

  /** {@link #load(Path)} onto the settings' device, computing with their thread count. */
  public static DiffusionPipeline load(Path path, PipelineSettings settings) {
    if (io.jdiffusion.interop.PipelineIndex.isTextToImage(path)) {
      return new DiffusionPipeline(null, in(settings, () -> StableDiffusion.load(path, null, LOG::warn)), settings);
    }
    return new DiffusionPipeline(in(settings, () -> TrainedModel.load(path, true)), settings);
  }

  /** Whether this is a text-to-image pipeline: it takes a prompt ({@link #generate(String, int)}). */
  public boolean takesPrompt() {
    return text != null;
  }

  /**
   * {@code n} images of {@code prompt} with the pipeline folder's scheduler, 50 steps and guidance 7.5
   * (diffusers' StableDiffusionPipeline defaults); image i from seed i.
   */
  public Images generate(String prompt, int n) {
    return generate(n, PromptOptions.of(prompt), defaults());
  }

  /**
   * {@code n} images of a prompt: negative prompt, guidance, size and clip skip in {@code p}, the sampler,
   * steps and seed (image i from seed + i) in {@code o} ({@link #defaults} to start from).
   */
  public Images generate(int n, PromptOptions p, SampleOptions o) {
    checkOpen();
    if (text == null) {
      throw new IllegalStateException("this model takes no prompt: generate(n, options)");
    }
    return in(settings, () -> TextToImage.generate(text, n, p, o, null, LOG::warn));
  }

  /** The text-to-image pipeline's components (tokenizer, text encoder, U-Net, autoencoder, scheduler). */
  public StableDiffusion stableDiffusion() {
    checkOpen();
    if (text == null) {
      throw new IllegalStateException("this model is not a text-to-image pipeline");
    }
    return text;
  }

  /** Wraps a model already in memory (on the process's device); closing the pipeline frees it. */
  public static DiffusionPipeline of(TrainedModel model) {
    return new DiffusionPipeline(model, PipelineSettings.DEFAULT);
  }

  /** The device and thread count this pipeline computes with. */
  public PipelineSettings settings() {
    return settings;
  }

  /**
   * Runs lower-level work ({@link Generate}, the samplers, on {@link #model}) with this pipeline's
   * device and thread count, as its own calls run.
   */
  public <T> T run(java.util.function.Supplier<T> body) {
    checkOpen();
    return in(settings, body);
  }

  private static <T> T in(PipelineSettings s, java.util.function.Supplier<T> body) {
    Torch.init();
    if (s.device() != null) {
      Torch.check(s.device());
    }
    return Torch.with(s.device(), s.threads(), body);
  }

  /**
   * {@code n} images with these options: unconditional (a conditional model's "no label" branch);
   * {@link Images#toBufferedImages}, {@link Images#png} and {@link Images#writeGrid} convert them.
   */
  public Images generate(int n, SampleOptions options) {
    return generate(n, options, null, 1);
  }

  /** {@code n} images with the model's own sampling defaults ({@link #defaults}) and image i from seed i. */
  public Images generate(int n) {
    return generate(n, defaults());
  }

  /**
   * {@code n} images of one class.
   *
   * @param className a class name of the model ({@link #classNames}) or its index; null for no label
   * @param guidance classifier-free guidance weight w (1 = plain conditional, &gt; 1 stronger)
   */
  public Images generate(int n, SampleOptions options, String className, double guidance) {
    return generate(n, options, className, guidance, null);
  }

  /**
   * {@code n} images of one class, with progress.
   *
   * @param progress advanced by one unit per image and step ({@code n * options.steps()} in all), or null
   */
  public Images generate(int n, SampleOptions options, String className, double guidance, Progress progress) {
    checkOpen();
    if (text != null) {
      throw new IllegalStateException("a text-to-image pipeline needs a prompt: generate(prompt, n)");
    }
    if (n < 1) {
      throw new IllegalArgumentException("the number of images must be >= 1, got " + n);
    }
    int[] labels = className == null ? null : Conditioning.repeat(Conditioning.classIndex(model, className), n);
    float[] pixels = in(settings, () -> Generate.images(model, n, labels, guidance, options, progress));
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      seeds[i] = options.seed() + i;
    }
    return new Images(pixels, n, channels(), imageSize(), imageSize(), seeds, labels);
  }

  /**
   * The default options for this model ({@link TrainedModel#sampling}): those stored in its file, else
   * DDIM's, or for a diffusers folder what its pipeline and scheduler do.
   */
  public SampleOptions defaults() {
    return text != null ? TextToImage.defaults(text) : model.sampling();
  }

  /** {@code sampler}'s defaults for this model: its own when it is the model's sampler, else the sampler's. */
  public SampleOptions defaults(Sampler sampler) {
    return text != null ? TextToImage.defaults(text, sampler) : SampleOptions.defaultsFor(model, sampler);
  }

  /** The class names of a class-conditional model (index = label), empty if none are stored. */
  public List<String> classNames() {
    return text != null ? List.of() : model.classNames();
  }

  /** Image height and width. */
  public int imageSize() {
    return text != null ? text.defaultSize() : model.config().imageSize();
  }

  /** 1 (grey) or 3 (RGB). */
  public int channels() {
    return text != null ? 3 : model.config().inChannels();
  }

  /** The network, schedule and prediction, for lower-level use ({@link Generate}, the samplers). */
  public TrainedModel model() {
    checkOpen();
    if (model == null) {
      throw new IllegalStateException("a text-to-image pipeline has no single network: see stableDiffusion()");
    }
    return model;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (text != null) {
        text.close();
      } else {
        model.net().close();
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this pipeline is closed");
    }
  }
}
