package io.jdiffusion.sampling;

import org.bytedeco.pytorch.Tensor;

/**
 * A reverse-diffusion sampler: its update rule and what a caller needs to know about it. The loop
 * around the rule (scopes, the carried x, the history of estimates, callbacks) is {@link
 * SamplingLoop}'s, as in k-diffusion, where every sampler shares one signature and is its update
 * rule only. The built-in samplers are listed in {@link Samplers}.
 */
public interface Sampler {
  /** Which path a sampler walks: the schedule's discrete timesteps, or Karras et al.'s sigmas. */
  enum Grid {
    /** Discrete training timesteps, chosen by a {@link Timesteps} spacing; x in VP form. */
    TIMESTEPS,
    /** {@link KarrasSigmas}; x in the VE form x0 + sigma eps of Karras et al. 2022. */
    KARRAS_SIGMAS
  }

  /**
   * What does not change between runs: the name used on the command line and in files (e.g. {@code
   * ddim}), the path, and eta and spacing defaults.
   *
   * @param usesEta whether eta changes anything (DDIM's eta, Euler a's noise scale)
   * @param defaultEta the eta to use when the caller gives none
   * @param defaultSpacing the timestep spacing to use when the caller gives none
   */
  record Traits(String name, Grid grid, boolean usesEta, double defaultEta, Timesteps defaultSpacing) {
    /** A sampler without eta, with leading spacing. */
    public static Traits of(String name, Grid grid) {
      return new Traits(name, grid, false, 0, Timesteps.LEADING);
    }

    /** The same traits with eta, defaulting to {@code eta}. */
    public Traits withEta(double eta) {
      return new Traits(name, grid, true, eta, defaultSpacing);
    }

    /** The same traits with another default spacing. */
    public Traits withSpacing(Timesteps spacing) {
      return new Traits(name, grid, usesEta, defaultEta, spacing);
    }
  }

  /** The sampler's fixed traits. */
  Traits traits();

  /** The name used on the command line and in files, e.g. {@code ddim}. */
  default String name() {
    return traits().name();
  }

  /** The path this sampler walks. */
  default Grid grid() {
    return traits().grid();
  }

  /** Whether eta changes anything for this sampler. */
  default boolean usesEta() {
    return traits().usesEta();
  }

  /** The eta to use when the caller gives none. */
  default double defaultEta() {
    return traits().defaultEta();
  }

  /** The timestep spacing to use when the caller gives none ({@link Grid#TIMESTEPS} samplers). */
  default Timesteps defaultSpacing() {
    return traits().defaultSpacing();
  }

  /** Network evaluations for N steps (N for one-evaluation samplers, 2N - 1 for Heun). */
  default int evaluations(int steps) {
    return steps;
  }

  /** The number of steps to use when the caller gives none, for a schedule of T training steps. */
  default int defaultSteps(int trainSteps) {
    return Math.min(50, trainSteps);
  }

  /** Whether the result is a function of x_T alone (no fresh noise per step) for this eta. */
  default boolean deterministic(double eta) {
    return !usesEta() || eta == 0;
  }

  /**
   * The update rule: x at point i of the path to x at point i + 1.
   *
   * @param step the current point, x there, the network (through {@link Step#estimate} or {@link
   *     Step#denoised}) and the previous step's x0 estimate
   * @return x at the next point, in this sampler's {@link Grid} form
   */
  Tensor step(Step step);
}
