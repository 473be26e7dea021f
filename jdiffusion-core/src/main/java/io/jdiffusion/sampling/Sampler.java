package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * A reverse-diffusion sampler: its path (diffusers' {@code set_timesteps}), its update rule (its {@code
 * step}) and the state one run keeps (the history of a multistep method). The loop around it (scopes,
 * the carried x, callbacks) is {@link SamplingLoop}'s, as in k-diffusion, where a sampler is its update
 * rule only.
 *
 * <p>An instance registered in {@link Samplers}, or returned by a factory, is a prototype holding the
 * sampler's typed settings; {@link SamplingLoop} asks it for a {@link #newRun} and closes that run at
 * the end. A sampler without state returns itself. Adding a sampler is one class and one line in
 * {@link Samplers} (docs/extending.md).
 */
public interface Sampler extends AutoCloseable {
  /** The form of x a sampler walks in. */
  enum Grid {
    /** Discrete training timesteps; x in the VP form sqrt(alphaBar) x0 + sqrt(1 - alphaBar) eps. */
    TIMESTEPS,
    /** Noise levels sigma; x in the VE form x0 + sigma eps of Karras et al. 2022. */
    SIGMAS
  }

  /**
   * What does not change between runs: the name used on the command line and in files (e.g. {@code
   * ddim}), the form of x, and eta and spacing defaults.
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

  /** The form of x this sampler walks in. */
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

  /** The timestep spacing to use when the caller gives none. */
  default Timesteps defaultSpacing() {
    return traits().defaultSpacing();
  }

  /** Whether the timestep spacing changes this sampler's path. */
  default boolean usesSpacing() {
    return true;
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
   * The points of an N-step run, diffusers' {@code set_timesteps}: by default the spaced discrete
   * timesteps then the clean image.
   */
  default NoisePath path(NoiseSchedule s, int steps, SamplerSettings settings) {
    return NoisePath.timesteps(s, settings.spacing().select(s.steps(), steps, settings.stepsOffset()));
  }

  /**
   * x at the first point of the path from a standard-normal draw x_T, diffusers' {@code
   * init_noise_sigma}: x_T itself in VP form; in VE form x_T sqrt(1 + sigma_0^2) with leading spacing
   * and x_T sigma_0 with linspace and trailing spacing (diffusers' sigma schedulers, whose choice this
   * follows so that the same x_T gives the same image).
   */
  default Tensor start(Tensor xT, NoisePath path, SamplerSettings run) {
    if (grid() == Grid.TIMESTEPS) {
      return xT;
    }
    double sigma0 = path.sigma()[0];
    return xT.mul(Torch.s(run.spacing() == Timesteps.LEADING ? Math.sqrt(1 + sigma0 * sigma0) : sigma0));
  }

  /** A sampler for one run, with fresh state and these settings; a sampler without state returns itself. */
  default Sampler newRun() {
    return this;
  }

  /**
   * The update rule: x at point i of the path to x at point i + 1.
   *
   * @param step the current point, x there and the network (through {@link Step#estimate}, {@link
   *     Step#denoised} or {@link Step#output})
   * @return x at the next point, in this sampler's {@link Grid} form
   */
  Tensor step(Step step);

  /** Releases what the run kept (a multistep history); nothing for a sampler without state. */
  @Override
  default void close() {}
}
