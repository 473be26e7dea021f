package io.jdiffusion.sampling;

/**
 * What every sampler's path and update rule may read besides x and the network: the settings of the
 * model's scheduler (diffusers' {@code scheduler_config.json}) and the run's eta. A sampler's own typed
 * settings (a solver's order, Karras sigmas) are fields of the sampler.
 *
 * @param eta DDIM's eta (0 deterministic, 1 DDPM-like) or Euler a's ancestral noise scale
 * @param variance DDPM's variance choice (Ho et al. 2020, Sec. 3.2)
 * @param clip clamp x0 estimates to the data range [-1, 1] (diffusers' clip_sample)
 * @param spacing which timesteps are visited (diffusers' timestep_spacing)
 * @param stepsOffset added to leading timesteps (diffusers' steps_offset; 1 for Stable Diffusion)
 * @param alphaToOne whether DDIM's and PNDM's last step lands on alphaBar = 1 (diffusers'
 *     set_alpha_to_one) rather than on alphaBar_0
 */
public record SamplerSettings(double eta, Ddpm.Variance variance, boolean clip, Timesteps spacing, int stepsOffset,
    boolean alphaToOne) {

  public SamplerSettings {
    if (!(eta >= 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
    }
    if (variance == null || spacing == null) {
      throw new IllegalArgumentException("variance and spacing must be given");
    }
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
  }

  /** eta, variance and clipping with leading spacing, no offset and alphaBar = 1 at the end. */
  public SamplerSettings(double eta, Ddpm.Variance variance, boolean clip) {
    this(eta, variance, clip, Timesteps.LEADING, 0, true);
  }

  /** eta with DDPM's fixed_small variance and clipping: the defaults. */
  public static SamplerSettings eta(double eta) {
    return new SamplerSettings(eta, Ddpm.Variance.FIXED_SMALL, true);
  }

  /** The same settings with clipping on or off. */
  public SamplerSettings clip(boolean on) {
    return new SamplerSettings(eta, variance, on, spacing, stepsOffset, alphaToOne);
  }

  /** The same settings with another spacing. */
  public SamplerSettings spacing(Timesteps spacing) {
    return new SamplerSettings(eta, variance, clip, spacing, stepsOffset, alphaToOne);
  }
}
