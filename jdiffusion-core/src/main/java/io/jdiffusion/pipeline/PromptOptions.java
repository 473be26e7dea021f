package io.jdiffusion.pipeline;

/**
 * What a text-to-image call asks for besides the sampler: the prompt, the negative prompt, the
 * classifier-free guidance weight, the image size and CLIP's layer. Defaults are diffusers'
 * StableDiffusionPipeline's: guidance 7.5, no negative prompt (the empty prompt), the pipeline's
 * default size (0 here), clip_skip none.
 *
 * @param prompt what the image shows ("" allowed)
 * @param negativePrompt what guidance steers away from; null or "" for the empty prompt
 * @param guidance w; guidance is applied when w &gt; 1 (diffusers' do_classifier_free_guidance)
 * @param width image width in pixels, a multiple of the autoencoder's scale factor; 0: the pipeline's default
 * @param height image height in pixels; 0: the pipeline's default
 * @param clipSkip 0: the text encoder's last layer; k: the output k layers before it (diffusers' clip_skip;
 *     as there, it applies to the prompt only, the negative prompt always uses the last layer)
 * @param guidanceRescale phi of Lin et al. 2023 ("Common Diffusion Noise Schedules and Sample Steps are
 *     Flawed", eq. 15-16), diffusers' guidance_rescale: 0 (default) none
 */
public record PromptOptions(String prompt, String negativePrompt, double guidance, int width, int height,
    int clipSkip, double guidanceRescale) {
  /** diffusers' StableDiffusionPipeline default guidance_scale. */
  public static final double DEFAULT_GUIDANCE = 7.5;

  public PromptOptions {
    if (prompt == null) {
      throw new IllegalArgumentException("the prompt must not be null (\"\" is the empty prompt)");
    }
    if (!Double.isFinite(guidance) || guidance < 0) {
      throw new IllegalArgumentException("guidance must be a finite weight >= 0, got " + guidance);
    }
    if (width < 0 || height < 0 || width > 16384 || height > 16384) {
      throw new IllegalArgumentException("width and height must be between 1 and 16384 pixels, got " + width + "x"
          + height);
    }
    if (clipSkip < 0) {
      throw new IllegalArgumentException("clip skip must be >= 0, got " + clipSkip);
    }
    if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) {
      throw new IllegalArgumentException("guidance rescale must be between 0 and 1, got " + guidanceRescale);
    }
  }

  /** The prompt with diffusers' defaults. */
  public static PromptOptions of(String prompt) {
    return new PromptOptions(prompt, null, DEFAULT_GUIDANCE, 0, 0, 0, 0);
  }

  public PromptOptions withNegative(String negative) {
    return new PromptOptions(prompt, negative, guidance, width, height, clipSkip, guidanceRescale);
  }

  public PromptOptions withGuidance(double w) {
    return new PromptOptions(prompt, negativePrompt, w, width, height, clipSkip, guidanceRescale);
  }

  public PromptOptions withSize(int width, int height) {
    return new PromptOptions(prompt, negativePrompt, guidance, width, height, clipSkip, guidanceRescale);
  }

  public PromptOptions withClipSkip(int k) {
    return new PromptOptions(prompt, negativePrompt, guidance, width, height, k, guidanceRescale);
  }

  public PromptOptions withGuidanceRescale(double phi) {
    return new PromptOptions(prompt, negativePrompt, guidance, width, height, clipSkip, phi);
  }

  public PromptOptions withPrompt(String text) {
    return new PromptOptions(text, negativePrompt, guidance, width, height, clipSkip, guidanceRescale);
  }

  /** Whether classifier-free guidance runs (w &gt; 1, as diffusers decides). */
  public boolean guided() {
    return guidance > 1;
  }
}
