package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.NoiseSchedule;

/**
 * How to sample: the sampler and its settings, the seed, the batch and the precision. Immutable;
 * made by {@link #defaultsFor}, a named factory such as {@link #dpmSolver}, or a {@link Builder}.
 * Every default is here and in the {@link Sampler} itself: the sampler's eta, spacing and number of
 * steps, DDPM's fixed_small variance, clipping on, seed 0, batch 64, fp32.
 */
public final class SampleOptions {
  /** Images per forward pass when none is given. */
  public static final int DEFAULT_BATCH = 64;
  /** The most steps a run may take. */
  public static final int MAX_STEPS = 100_000;

  private final Sampler sampler;
  private final int steps;
  private final double eta;
  private final Timesteps spacing;
  private final Ddpm.Variance variance;
  private final boolean clip;
  private final int stepsOffset;
  private final boolean alphaToOne;
  private final long seed;
  private final int batch;
  private final Precision precision;

  private SampleOptions(Builder b) {
    this.sampler = b.sampler;
    this.steps = b.steps;
    this.eta = b.eta != null ? b.eta : sampler.defaultEta();
    this.spacing = b.spacing != null ? b.spacing : sampler.defaultSpacing();
    this.variance = b.variance;
    this.clip = b.clip;
    this.stepsOffset = b.stepsOffset;
    this.alphaToOne = b.alphaToOne;
    this.seed = b.seed;
    this.batch = b.batch;
    this.precision = b.precision;
  }

  /** The sampler's own defaults for a model with this schedule (DDPM: all T steps; others min(50, T)). */
  public static SampleOptions defaultsFor(Sampler sampler, NoiseSchedule schedule) {
    return defaultsFor(sampler, schedule.steps());
  }

  /**
   * The options for {@code model} when a caller names some of them, the one rule of sample's flags and
   * serve's requests: the model's own defaults ({@link TrainedModel#sampling}) when {@code sampler} is
   * null or names the model's sampler, else that sampler's defaults; then each value given (null keeps
   * the default). Clip, precision, seed and batch are the caller's to set on the builder.
   *
   * @param optionPrefix how the caller spells its options in messages ("--" on the command line)
   * @throws IllegalArgumentException for a variance given to a sampler other than ddpm, or a spacing to
   *     one whose timesteps are its own (lcm)
   */
  public static Builder forModel(TrainedModel model, String sampler, Integer steps, Double eta, String spacing,
      String variance, String optionPrefix) {
    Sampler s = sampler == null ? model.sampling().sampler() : Samplers.byName(sampler);
    if (s.name().equals(model.sampling().sampler().name())) {
      s = model.sampling().sampler(); // the model's own variant (a scheduler config's keys)
    }
    return overrides(defaultsFor(model, s).toBuilder(), s, steps, eta, spacing, variance, optionPrefix);
  }

  /**
   * {@code b}, the defaults of sampler {@code s}, with each value a caller gave (null keeps the default):
   * {@link #forModel}'s rule for any source of defaults (a text-to-image pipeline's scheduler, say).
   *
   * @throws IllegalArgumentException for a variance given to a sampler other than ddpm, or a spacing to
   *     one whose timesteps are its own (lcm)
   */
  public static Builder overrides(Builder b, Sampler s, Integer steps, Double eta, String spacing, String variance,
      String optionPrefix) {
    if (variance != null && s != Samplers.DDPM) {
      throw new IllegalArgumentException(optionPrefix + "variance applies to ddpm only; " + s.name()
          + " has no variance to choose");
    }
    if (variance != null) {
      b.variance(Ddpm.Variance.parse(variance));
    }
    if (steps != null) {
      b.steps(steps);
    }
    if (eta != null) {
      b.eta(eta);
    }
    if (spacing != null) {
      if (!s.usesSpacing()) {
        throw new IllegalArgumentException(optionPrefix + "spacing does not apply to " + s.name()
            + ", whose timesteps are its own");
      }
      b.spacing(Timesteps.parse(spacing));
    }
    return b;
  }

  /** What {@code sampler} does on {@code model} with nothing else given: the model's own defaults for its sampler, else the sampler's. */
  public static SampleOptions defaultsFor(TrainedModel model, Sampler sampler) {
    return sampler.name().equals(model.sampling().sampler().name()) ? model.sampling()
        : defaultsFor(sampler, model.schedule());
  }

  /** The sampler's own defaults for a model of {@code trainSteps} training timesteps T. */
  public static SampleOptions defaultsFor(Sampler sampler, int trainSteps) {
    return builder(sampler).steps(sampler.defaultSteps(trainSteps)).build();
  }

  /**
   * The options stored defaults describe (a model file's "sampling"), with a diffusers scheduler's
   * settings where {@code base} has them; an unknown sampler or a bad value is reported to {@code warn}
   * and {@code base} kept.
   */
  public static SampleOptions from(io.jdiffusion.model.SamplingDefaults d, SampleOptions base,
      java.util.function.Consumer<String> warn) {
    try {
      boolean same = d.sampler().equals(base.sampler().name()); // keep the base's own variant (e.g. a scheduler's keys)
      Sampler s = same ? base.sampler() : Samplers.byName(d.sampler());
      Builder b = (same ? base.toBuilder() : builder(s).clip(base.clip()).variance(base.variance())
          .stepsOffset(base.stepsOffset()).alphaToOne(base.alphaToOne())).steps(d.steps());
      if (d.eta() != null && s.usesEta()) {
        b.eta(d.eta());
      }
      if (d.spacing() != null) {
        b.spacing(Timesteps.parse(d.spacing()));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      warn.accept("warning: sampling defaults ignored (" + e.getMessage() + ")");
      return base;
    }
  }

  /** These options as defaults to store beside the weights, with the model's guidance weight. */
  public io.jdiffusion.model.SamplingDefaults defaults(double guidance) {
    return new io.jdiffusion.model.SamplingDefaults(sampler.name(), steps, sampler.usesEta() ? eta : null,
        sampler.usesSpacing() ? spacing.configName() : null, guidance);
  }

  /** DDIM (Song et al. 2021), eta 0, leading spacing. */
  public static SampleOptions ddim(int steps) {
    return builder(Samplers.DDIM).steps(steps).build();
  }

  /** DPM-Solver++(2M) (Lu et al. 2022), trailing spacing. */
  public static SampleOptions dpmSolver(int steps) {
    return builder(Samplers.DPMPP_2M).steps(steps).build();
  }

  /** Ancestral DDPM (Ho et al. 2020) over {@code steps} of the training timesteps. */
  public static SampleOptions ddpm(int steps) {
    return builder(Samplers.DDPM).steps(steps).build();
  }

  /** Heun (Karras et al. 2022, Algorithm 1): 2 steps - 1 network evaluations. */
  public static SampleOptions heun(int steps) {
    return builder(Samplers.HEUN).steps(steps).build();
  }

  /** A builder for {@code sampler}; {@link Builder#steps} must be given. */
  public static Builder builder(Sampler sampler) {
    return new Builder(sampler);
  }

  /** A builder holding these options, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder(sampler).steps(steps).spacing(spacing).variance(variance).clip(clip).seed(seed)
        .batch(batch).precision(precision).stepsOffset(stepsOffset).alphaToOne(alphaToOne);
    if (sampler.usesEta()) {
      b.eta(eta);
    }
    return b;
  }

  /** The same options with image i drawn from seed + i. */
  public SampleOptions withSeed(long seed) {
    return toBuilder().seed(seed).build();
  }

  /** The same options with another number of steps. */
  public SampleOptions withSteps(int steps) {
    return toBuilder().steps(steps).build();
  }

  /** The same options with another batch size. */
  public SampleOptions withBatch(int batch) {
    return toBuilder().batch(batch).build();
  }

  public Sampler sampler() {
    return sampler;
  }

  /** Denoising steps N (network evaluations: {@link Sampler#evaluations}). */
  public int steps() {
    return steps;
  }

  /** DDIM's eta (0 deterministic) or Euler a's ancestral noise scale. */
  public double eta() {
    return eta;
  }

  /** Which timesteps discrete samplers visit. */
  public Timesteps spacing() {
    return spacing;
  }

  public Ddpm.Variance variance() {
    return variance;
  }

  /** Whether x0 estimates are clamped to [-1, 1]. */
  public boolean clip() {
    return clip;
  }

  /** Image i of a run uses seed + i, whatever the batch size. */
  public long seed() {
    return seed;
  }

  /** Images per forward pass (does not change the images). */
  public int batch() {
    return batch;
  }

  public Precision precision() {
    return precision;
  }

  /** What the sampler's update rule reads. */
  public SamplerSettings settings() {
    return new SamplerSettings(eta, variance, clip, spacing, stepsOffset, alphaToOne);
  }

  /** diffusers' steps_offset, added to leading timesteps (1 for Stable Diffusion; 0 for jdiffusion's models). */
  public int stepsOffset() {
    return stepsOffset;
  }

  /** Whether DDIM's and PNDM's last step lands on alphaBar = 1 (diffusers' set_alpha_to_one). */
  public boolean alphaToOne() {
    return alphaToOne;
  }

  /** Network evaluations per image. */
  public int evaluations() {
    return sampler.evaluations(steps);
  }

  /** Refuses a number of steps the sampler's path cannot take on this schedule (more than T, or LCM's limit). */
  public void checkAgainst(NoiseSchedule schedule) {
    sampler.path(schedule, steps, settings());
  }

  /** The options as a JSON-ready map with the command line's names and values (sample --dry-run, metrics.json). */
  public java.util.Map<String, Object> toJson() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("sampler", sampler.name());
    m.put("steps", steps);
    m.put("eta", eta);
    m.put("spacing", spacing.name().toLowerCase(java.util.Locale.ROOT));
    m.put("variance", variance.name().toLowerCase(java.util.Locale.ROOT));
    m.put("clip", clip);
    if (stepsOffset != 0) {
      m.put("steps_offset", stepsOffset);
    }
    if (!alphaToOne) {
      m.put("set_alpha_to_one", false);
    }
    m.put("seed", seed);
    m.put("batch", batch);
    m.put("precision", precision.name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  @Override
  public String toString() {
    return sampler.name() + ", " + steps + " steps" + (sampler.usesEta() ? ", eta " + eta : "")
        + (sampler.usesSpacing() ? ", " + spacing.name().toLowerCase(java.util.Locale.ROOT) : "")
        + ", seed " + seed;
  }

  /** Builds {@link SampleOptions}; validation happens in {@link #build}. */
  public static final class Builder {
    private final Sampler sampler;
    private int steps;
    private Double eta;
    private Timesteps spacing;
    private Ddpm.Variance variance = Ddpm.Variance.FIXED_SMALL;
    private boolean clip = true;
    private int stepsOffset;
    private boolean alphaToOne = true;
    private long seed;
    private int batch = DEFAULT_BATCH;
    private Precision precision = Precision.FP32;

    private Builder(Sampler sampler) {
      if (sampler == null) {
        throw new IllegalArgumentException("a sampler must be given");
      }
      this.sampler = sampler;
    }

    /** Denoising steps, 1 to {@link #MAX_STEPS} (and at most T for samplers that visit timesteps). */
    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    /** eta; only for samplers that use it ({@link Sampler#usesEta}). Default: the sampler's. */
    public Builder eta(double eta) {
      this.eta = eta;
      return this;
    }

    /** Timestep spacing. Default: the sampler's. */
    public Builder spacing(Timesteps spacing) {
      this.spacing = spacing;
      return this;
    }

    /** DDPM's variance. Default fixed_small. */
    public Builder variance(Ddpm.Variance variance) {
      this.variance = variance;
      return this;
    }

    /** Clamp x0 estimates to [-1, 1]. Default on. */
    public Builder clip(boolean clip) {
      this.clip = clip;
      return this;
    }

    /** diffusers' steps_offset. Default 0. */
    public Builder stepsOffset(int offset) {
      this.stepsOffset = offset;
      return this;
    }

    /** diffusers' set_alpha_to_one. Default true. */
    public Builder alphaToOne(boolean on) {
      this.alphaToOne = on;
      return this;
    }

    /** Image i uses seed + i. Default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Images per forward pass, 1 to 65536. Default {@link #DEFAULT_BATCH}. */
    public Builder batch(int batch) {
      this.batch = batch;
      return this;
    }

    /** fp32 or bf16. Default fp32. */
    public Builder precision(Precision precision) {
      this.precision = precision;
      return this;
    }

    public SampleOptions build() {
      if (steps < 1 || steps > MAX_STEPS) {
        throw new IllegalArgumentException("steps must be between 1 and " + MAX_STEPS + ", got " + steps);
      }
      if (eta != null) {
        if (!sampler.usesEta()) {
          throw new IllegalArgumentException(sampler.name() + " does not use eta (only "
              + String.join(" and ", Samplers.all().stream().filter(Sampler::usesEta).map(Sampler::name).toList())
              + " do)");
        }
        new SamplerSettings(eta, variance, clip); // validates eta
      }
      if (stepsOffset < 0) {
        throw new IllegalArgumentException("steps offset must be >= 0, got " + stepsOffset);
      }
      if (batch < 1 || batch > 65_536) {
        throw new IllegalArgumentException("batch must be between 1 and 65536, got " + batch);
      }
      if (variance == null || precision == null) {
        throw new IllegalArgumentException("variance and precision must not be null");
      }
      return new SampleOptions(this);
    }
  }
}
