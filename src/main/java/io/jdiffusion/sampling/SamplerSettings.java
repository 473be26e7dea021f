package io.jdiffusion.sampling;

/**
 * What a sampler's update rule may read besides x and the network.
 *
 * @param eta DDIM's eta (0 deterministic, 1 DDPM-like) or Euler a's ancestral noise scale
 * @param variance DDPM's variance choice (Ho et al. 2020, Sec. 3.2)
 * @param clip clamp x0 estimates to the data range [-1, 1] (diffusers' clip_sample)
 */
public record SamplerSettings(double eta, Ddpm.Variance variance, boolean clip) {

  public SamplerSettings {
    if (!(eta >= 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
    }
    if (variance == null) {
      throw new IllegalArgumentException("variance must be given (fixed_small or fixed_large)");
    }
  }

  /** eta with DDPM's fixed_small variance and clipping: the defaults. */
  public static SamplerSettings eta(double eta) {
    return new SamplerSettings(eta, Ddpm.Variance.FIXED_SMALL, true);
  }

  /** The same settings with clipping on or off. */
  public SamplerSettings clip(boolean on) {
    return new SamplerSettings(eta, variance, on);
  }
}
