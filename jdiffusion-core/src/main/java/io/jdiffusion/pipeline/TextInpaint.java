package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.GeneratorNoise;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.KnownRegion;
import io.jdiffusion.sampling.NoisePath;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.SdEdit;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.sampling.TextConditionedDenoiser;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.util.Progress;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Inpainting with a prompt, step for step as diffusers' StableDiffusionInpaintPipeline
 * (pipeline_stable_diffusion_inpaint.py):
 *
 * <ol>
 *   <li>the mask binarized (&gt;= 0.5 repaints), the masked image = image where the mask is 0, else 0;
 *   <li>for a 4-channel U-Net, or strength &lt; 1: the image's latents, sampled with the first image's
 *       generator (diffusers encodes its one input image once);
 *   <li>the noise, one draw per image; the start is that noise at strength 1, else the image's latents
 *       perturbed to the first step kept ({@link SdEdit#diffusersSteps});
 *   <li>the masked image's latents (a second encode, first generator) and the mask at latent size
 *       (nearest);
 *   <li>a 9-channel inpainting U-Net sees [latents | mask | masked-image latents]; a 4-channel one is
 *       blended after each step with the image's latents noised by the same draw to the next step's level,
 *       and with the clean latents after the last ({@link KnownRegion#withFixedNoise});
 *   <li>decode.
 * </ol>
 */
public final class TextInpaint {
  private TextInpaint() {}

  /**
   * Repaints where {@code mask} is at least 0.5.
   *
   * @param image [1, 3, H, W] in [-1, 1]
   * @param mask [1, 1, H, W] in [0, 1], 1 (white) = repaint
   * @param each image i's prompt (size and guidance from the first)
   * @param strength in (0, 1]: 1 starts from noise (diffusers' default)
   */
  public static Images run(StableDiffusion sd, float[] image, float[] mask, int height, int width,
      List<PromptOptions> each, double strength, SampleOptions o, Progress progress, Consumer<String> warn) {
    int n = each.size();
    if (n < 1 || n > 100_000) {
      throw new IllegalArgumentException("the number of images must be between 1 and 100000, got " + n);
    }
    if (image.length != 3L * height * width || mask.length != (long) height * width) {
      throw new IllegalArgumentException("the image must be 3x" + height + "x" + width + " and the mask 1x" + height
          + "x" + width);
    }
    int scale = sd.vaeScaleFactor();
    if (width % scale != 0 || height % scale != 0) {
      throw new IllegalArgumentException("the image's width and height must be multiples of " + scale + ", got "
          + width + "x" + height);
    }
    int channels = sd.unet().config().inChannels();
    int latent = sd.vae().config().latentChannels();
    boolean maskChannels = channels == 2 * latent + 1;
    if (!maskChannels && channels != latent) {
      throw new IllegalArgumentException("a unet of " + channels + " input channels is neither a text-to-image ("
          + latent + ") nor an inpainting (" + (2 * latent + 1) + ") one");
    }
    PromptOptions p = each.get(0);
    NoiseSchedule schedule = sd.scheduler().schedule().build();
    o.checkAgainst(schedule);
    Forward text = new Forward(Precision.FP32, false);
    Forward unet = new Forward(o.precision(), false);
    long h = height / scale;
    long w = width / scale;
    int per = 3 * width * height;
    float[] out = new float[n * per];
    long[] seeds = new long[n];
    try (PointerScope outer = new PointerScope(); InferenceMode im = new InferenceMode();
        GeneratorNoise noise = GeneratorNoise.consecutive(o.seed(), n)) {
      PromptEmbeddings embeddings = new PromptEmbeddings(sd, text, warn);
      NoisePath path;
      try (Sampler run = o.sampler().newRun()) {
        path = run.path(schedule, o.steps(), o.settings());
      }
      NoisePath tail = path.tail(SdEdit.diffusersSteps(path, o.steps(), strength));
      Tensor img = Torch.tensor(image, 1, 3, height, width);
      Tensor m = Torch.tensor(binarized(mask), 1, 1, height, width);
      Tensor masked = img.mul(m.neg().add(Torch.s(1)));
      Tensor imageLatents = null;
      if (!maskChannels || strength < 1) {
        var dist = sd.vae().encode(img, text);
        imageLatents = sd.vae().scale(dist.sample(noise.nextFromFirst(latent, h, w))).expand(n, -1, -1, -1)
            .contiguous();
      }
      Tensor eps = noise.next(latent, h, w);
      Tensor x;
      if (strength >= 1) {
        x = eps; // pure noise, whatever the image (diffusers' is_strength_max)
      } else {
        double sigma = tail.sigma()[0];
        boolean vp = o.sampler().grid() == Sampler.Grid.TIMESTEPS;
        double a = vp ? schedule.sqrtAlphaBar(tail.timestep(0)) : 1 / Math.sqrt(1 + sigma * sigma);
        double b = vp ? schedule.sqrtOneMinusAlphaBar(tail.timestep(0)) : sigma * a;
        x = imageLatents.mul(Torch.s(a)).add(eps.mul(Torch.s(b)));
      }
      var maskedDist = sd.vae().encode(masked, text);
      Tensor maskedLatents = sd.vae().scale(maskedDist.sample(noise.nextFromFirst(latent, h, w)))
          .expand(n, -1, -1, -1).contiguous();
      Tensor smallMask = torch.upsample_nearest2d(m, new long[] {h, w}, new DoubleOptional(), new DoubleOptional())
          .expand(n, -1, -1, -1).contiguous();
      Tensor cond = embeddings.prompts(each);
      Tensor uncond = p.guided() ? embeddings.negatives(each) : null;
      Tensor extra = maskChannels ? Torch.cat(1, smallMask, maskedLatents) : null;
      var d = new TextConditionedDenoiser(sd.unet(), sd.scheduler().prediction(), cond, uncond, p.guidance(),
          p.guidanceRescale(), extra, unet);
      Sampler sampler = maskChannels ? o.sampler()
          : KnownRegion.withFixedNoise(o.sampler(), imageLatents, smallMask.neg().add(Torch.s(1)), eps);
      StepCallback tick = progress == null ? StepCallback.NONE
          : step -> progress.update((long) (step.index() + 1) * n);
      Tensor latents = strength >= 1 // from noise: the sampler's own start (its init_noise_sigma)
          ? SamplingLoop.run(sampler, d, schedule, x, o.steps(), o.spacing(), noise, o.settings(), tick)
          : SamplingLoop.run(sampler, d, schedule, x, tail, noise, o.settings(), tick);
      Generate.toUnit(Torch.toFloats(TextToImage.decode(sd, latents, text)), out, 0);
    }
    for (int i = 0; i < n; i++) {
      seeds[i] = o.seed() + i;
    }
    return new Images(out, n, 3, height, width, seeds, null);
  }

  /** diffusers' mask processor: 1 where the mask is at least 0.5, else 0. */
  static float[] binarized(float[] mask) {
    float[] out = new float[mask.length];
    for (int i = 0; i < mask.length; i++) {
      out[i] = mask[i] >= 0.5f ? 1f : 0f;
    }
    return out;
  }
}
