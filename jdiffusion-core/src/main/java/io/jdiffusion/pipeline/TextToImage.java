package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.GeneratorNoise;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.sampling.TextConditionedDenoiser;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.util.Progress;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * Text-to-image with a {@link StableDiffusion} pipeline, step for step as diffusers'
 * StableDiffusionPipeline.__call__ (pipeline_stable_diffusion.py):
 *
 * <ol>
 *   <li>encode the prompt, and the negative prompt ("" when none) when guidance applies (w &gt; 1);
 *   <li>draw the initial latents [n, 4, H/8, W/8], image i from its own generator seeded seed + i
 *       ({@link GeneratorNoise}: diffusers' {@code generator=[torch.Generator().manual_seed(seed + i)]});
 *   <li>run the sampler (the folder's scheduler by default) with the U-Net under classifier-free
 *       guidance ({@link TextConditionedDenoiser});
 *   <li>decode latents / scaling_factor with the autoencoder and map [-1, 1] to [0, 1].
 * </ol>
 */
public final class TextToImage {
  private TextToImage() {}

  /** diffusers' StableDiffusionPipeline default num_inference_steps. */
  public static final int DEFAULT_STEPS = 50;

  /** The sampling defaults of a pipeline folder: its scheduler's sampler and settings, 50 steps (diffusers' default). */
  public static SampleOptions defaults(StableDiffusion sd) {
    var s = sd.scheduler();
    SampleOptions o = defaults(sd, s.sampler());
    return s.samplingDefaults() == null ? o : SampleOptions.from(s.samplingDefaults(), o, m -> { });
  }

  /**
   * Another sampler on a pipeline folder, as diffusers' {@code Cls.from_config(pipe.scheduler.config)}
   * makes it: the folder's timestep spacing (where the sampler has one), steps offset, clipping and final
   * alpha kept; 50 steps.
   */
  public static SampleOptions defaults(StableDiffusion sd, io.jdiffusion.sampling.Sampler sampler) {
    var s = sd.scheduler();
    SampleOptions.Builder b = SampleOptions.builder(sampler).clip(s.clip()).stepsOffset(s.stepsOffset())
        .alphaToOne(s.alphaToOne()).steps(Math.min(DEFAULT_STEPS, s.schedule().steps()));
    if (sampler.usesSpacing()) {
      b.spacing(s.spacing());
    }
    if (sampler.name().equals(io.jdiffusion.sampling.Samplers.DDPM.name())) {
      b.variance(s.variance());
    }
    return b.build();
  }

  /**
   * {@code n} images of the prompt.
   *
   * @param o the sampler, steps, seed (image i from seed + i), batch and the U-Net's precision
   * @param progress advanced by one unit per image and step, or null
   * @param warn receives the note when a prompt is cut to the tokenizer's length
   * @return images in [0, 1], RGB, with their seeds
   */
  public static Images generate(StableDiffusion sd, int n, PromptOptions p, SampleOptions o, Progress progress,
      Consumer<String> warn) {
    return generate(sd, Collections.nCopies(checkCount(n), p), o, progress, warn, StepCallback.NONE);
  }

  /**
   * One image per entry of {@code each} (image i: its prompt and negative prompt, seed + i), as diffusers
   * called with lists of prompts; guidance, size and clip skip must be the same for all.
   *
   * @param onStep told about every step of every batch (after the progress update)
   */
  public static Images generate(StableDiffusion sd, List<PromptOptions> each, SampleOptions o, Progress progress,
      Consumer<String> warn, StepCallback onStep) {
    int n = checkCount(each.size());
    PromptOptions p = each.get(0);
    for (PromptOptions q : each) {
      if (q.guidance() != p.guidance() || q.width() != p.width() || q.height() != p.height()
          || q.clipSkip() != p.clipSkip() || q.guidanceRescale() != p.guidanceRescale()) {
        throw new IllegalArgumentException("every image of one call has the same guidance, size and clip skip");
      }
    }
    int scale = sd.vaeScaleFactor();
    int width = p.width() == 0 ? sd.defaultSize() : p.width();
    int height = p.height() == 0 ? sd.defaultSize() : p.height();
    if (width % scale != 0 || height % scale != 0) {
      throw new IllegalArgumentException("width and height must be multiples of " + scale + ", got " + width + "x"
          + height);
    }
    NoiseSchedule schedule = sd.scheduler().schedule().build();
    o.checkAgainst(schedule);
    int channels = sd.unet().config().inChannels();
    if (channels != sd.vae().config().latentChannels()) {
      throw new IllegalArgumentException("this pipeline's unet takes " + channels + " channels (an inpainting unet):"
          + " use inpaint, or a text-to-image pipeline");
    }
    Forward text = new Forward(Precision.FP32, false);
    Forward unet = new Forward(o.precision(), false);
    long h = height / scale;
    long w = width / scale;
    int per = 3 * width * height;
    float[] out = new float[n * per];
    long[] seeds = new long[n];
    try (PointerScope outer = new PointerScope(); InferenceMode im = new InferenceMode()) {
      PromptEmbeddings embeddings = new PromptEmbeddings(sd, text, warn);
      for (int start = 0; start < n; start += o.batch()) {
        int b = Math.min(o.batch(), n - start);
        long done = (long) start * o.steps();
        List<PromptOptions> batch = each.subList(start, start + b);
        try (PointerScope scope = new PointerScope(); GeneratorNoise noise = GeneratorNoise.consecutive(o.seed() + start, b)) {
          Tensor cond = embeddings.prompts(batch);
          Tensor uncond = p.guided() ? embeddings.negatives(batch) : null;
          var d = new TextConditionedDenoiser(sd.unet(), sd.scheduler().prediction(), cond, uncond, p.guidance(),
              p.guidanceRescale(), null, unet);
          Tensor xT = noise.next(channels, h, w);
          StepCallback tick = progress == null ? onStep
              : step -> progress.update(done + step.done((long) o.steps()) * b);
          if (progress != null && onStep != StepCallback.NONE) {
            tick = tick.andThen(onStep);
          }
          Tensor latents = SamplingLoop.run(o.sampler(), d, schedule, xT, o.steps(), o.spacing(), noise, o.settings(),
              tick);
          Generate.toUnit(Torch.toFloats(decode(sd, latents, text)), out, start * per);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      seeds[i] = o.seed() + i;
    }
    return new Images(out, n, 3, height, width, seeds, null);
  }

  /**
   * Image-to-image with a prompt, step for step as diffusers' StableDiffusionImg2ImgPipeline: each
   * guide image encoded by the autoencoder and sampled from its latent distribution (times
   * scaling_factor), perturbed to the first step diffusers keeps for {@code strength}
   * (floor(steps x strength) steps run, {@link io.jdiffusion.sampling.SdEdit#diffusersSteps}), then
   * denoised with guidance. Image i draws from its generator, seed + i: first the latent sample, then
   * the perturbation, as diffusers' per-image generators do.
   *
   * @param guides [n, 3, H, W] pixels in [-1, 1], H and W multiples of the autoencoder's scale; image i
   *     of the result edits guide i with {@code each.get(i)}
   */
  public static Images imageToImage(StableDiffusion sd, float[] guides, int height, int width,
      List<PromptOptions> each, double strength, SampleOptions o, Progress progress, Consumer<String> warn) {
    int n = checkCount(each.size());
    if (guides.length != (long) n * 3 * height * width) {
      throw new IllegalArgumentException(n + " prompts for " + guides.length / Math.max(1, 3 * height * width)
          + " guide images of " + width + "x" + height);
    }
    int scale = sd.vaeScaleFactor();
    if (width % scale != 0 || height % scale != 0) {
      throw new IllegalArgumentException("the image's width and height must be multiples of " + scale + ", got "
          + width + "x" + height);
    }
    PromptOptions p = each.get(0);
    NoiseSchedule schedule = sd.scheduler().schedule().build();
    o.checkAgainst(schedule);
    Forward text = new Forward(Precision.FP32, false);
    Forward unet = new Forward(o.precision(), false);
    int per = 3 * width * height;
    float[] out = new float[n * per];
    long[] seeds = new long[n];
    try (PointerScope outer = new PointerScope(); InferenceMode im = new InferenceMode()) {
      PromptEmbeddings embeddings = new PromptEmbeddings(sd, text, warn);
      io.jdiffusion.sampling.NoisePath path;
      try (io.jdiffusion.sampling.Sampler run = o.sampler().newRun()) {
        path = run.path(schedule, o.steps(), o.settings());
      }
      io.jdiffusion.sampling.NoisePath tail = path.tail(io.jdiffusion.sampling.SdEdit.diffusersSteps(path, o.steps(),
          strength));
      for (int start = 0; start < n; start += o.batch()) {
        int b = Math.min(o.batch(), n - start);
        long done = (long) start * tail.steps();
        List<PromptOptions> batch = each.subList(start, start + b);
        try (PointerScope scope = new PointerScope(); GeneratorNoise noise = GeneratorNoise.consecutive(o.seed() + start, b)) {
          Tensor cond = embeddings.prompts(batch);
          Tensor uncond = p.guided() ? embeddings.negatives(batch) : null;
          var d = new TextConditionedDenoiser(sd.unet(), sd.scheduler().prediction(), cond, uncond, p.guidance(),
              p.guidanceRescale(), null, unet);
          Tensor guide = Torch.tensor(java.util.Arrays.copyOfRange(guides, start * per, (start + b) * per), b, 3,
              height, width);
          var dist = sd.vae().encode(guide, text);
          long[] shape = Torch.shape(dist.mean());
          Tensor latents0 = sd.vae().scale(dist.sample(noise.next(shape[1], shape[2], shape[3])));
          StepCallback tick = progress == null ? StepCallback.NONE
              : step -> progress.update(done + (long) (step.index() + 1) * b);
          Tensor latents = io.jdiffusion.sampling.SdEdit.fromTail(o.sampler(), d, schedule, latents0, noise, tail,
              o.settings(), tick);
          Generate.toUnit(Torch.toFloats(decode(sd, latents, text)), out, start * per);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      seeds[i] = o.seed() + i;
    }
    return new Images(out, n, 3, height, width, seeds, null);
  }

  /** Pixels in [-1, 1] (unclamped) of latents: the autoencoder's decode of latents / scaling_factor. */
  static Tensor decode(StableDiffusion sd, Tensor latents, Forward f) {
    return sd.vae().decode(sd.vae().unscale(latents), f);
  }

  private static int checkCount(int n) {
    if (n < 1 || n > 100_000) {
      throw new IllegalArgumentException("the number of images must be between 1 and 100000, got " + n);
    }
    return n;
  }
}
