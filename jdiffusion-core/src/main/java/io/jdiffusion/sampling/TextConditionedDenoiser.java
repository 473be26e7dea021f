package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.conditional.UNet2DCondition;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A text-conditioned U-Net ({@link UNet2DCondition}) as a {@link Denoiser}, with classifier-free
 * guidance (Ho &amp; Salimans 2022, eq. 6) as diffusers' StableDiffusionPipeline applies it: one
 * forward over the batch [negative, prompt] and
 *
 * <pre>out = out_negative + w (out_prompt - out_negative)</pre>
 *
 * on the raw network output, whatever it predicts, optionally rescaled towards the prompt branch's
 * spread (Lin et al. 2023, eq. 15-16; diffusers' guidance_rescale phi):
 *
 * <pre>out = phi out std(out_prompt) / std(out) + (1 - phi) out</pre>
 *
 * (standard deviations per image, unbiased, as torch.std). With no negative embeddings (w &lt;= 1: diffusers'
 * {@code do_classifier_free_guidance} is {@code guidance_scale > 1}) the prompt alone is run. For the
 * 9-channel inpainting U-Nets, {@code extra} (the mask and the masked image's latents, [B, 5, h, w]) is
 * appended to x_t along the channels after the sampler's input scaling, as the pipeline does.
 * Callers run it under inference mode; the embeddings live in the caller's scope for the whole run.
 */
public final class TextConditionedDenoiser implements Denoiser {
  private final UNet2DCondition unet;
  private final Prediction prediction;
  private final Tensor prompt;
  private final Tensor negative;
  private final double guidance;
  private final double rescale;
  private final Tensor extra;
  private final Forward forward;

  /**
   * @param prompt the prompt's text-encoder states [B, 77, D]
   * @param negative the negative (or empty) prompt's states [B, 77, D]; null: no guidance
   * @param guidance the guidance weight w (used with {@code negative})
   * @param rescale phi in [0, 1]: 0 none
   * @param extra channels appended to x_t for inpainting U-Nets [B, C, h, w], or null
   */
  public TextConditionedDenoiser(UNet2DCondition unet, Prediction prediction, Tensor prompt, Tensor negative,
      double guidance, double rescale, Tensor extra, Forward forward) {
    if (!Double.isFinite(guidance)) {
      throw new IllegalArgumentException("guidance must be finite, got " + guidance);
    }
    this.unet = unet;
    this.prediction = prediction;
    this.prompt = prompt;
    this.negative = negative;
    this.guidance = guidance;
    this.rescale = rescale;
    this.extra = extra;
    this.forward = forward;
  }

  @Override
  public Prediction prediction() {
    return prediction;
  }

  @Override
  public Tensor output(Tensor xt, double t) {
    int n = (int) xt.size(0);
    return Torch.scoped(() -> {
      Tensor in = extra == null ? xt : Torch.cat(1, xt, extra);
      if (negative == null) {
        return unet.forward(in, times(n, t), prompt, forward);
      }
      Tensor out = unet.forward(Torch.cat(0, in, in), times(2 * n, t), Torch.cat(0, negative, prompt), forward);
      Tensor uncond = out.narrow(0, 0, n);
      Tensor cond = out.narrow(0, n, n);
      Tensor guided = uncond.add(cond.sub(uncond).mul(Torch.s(guidance)));
      if (rescale == 0) {
        return guided;
      }
      long[] dims = {1, 2, 3};
      Tensor ratio = torch.std(cond, dims, true, true).div(torch.std(guided, dims, true, true));
      return guided.mul(ratio).mul(Torch.s(rescale)).add(guided.mul(Torch.s(1 - rescale)));
    });
  }

  private static double[] times(int n, double t) {
    double[] ts = new double[n];
    Arrays.fill(ts, t);
    return ts;
  }
}
