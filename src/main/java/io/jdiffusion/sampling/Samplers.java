package io.jdiffusion.sampling;

import java.util.List;
import java.util.Locale;

/** The built-in samplers, by name. Each is stateless; the run's state lives in {@link SamplingLoop}. */
public final class Samplers {
  /** Ho et al. 2020, Algorithm 2 ({@link Ddpm}). */
  public static final Sampler DDPM = new Ddpm();
  /** Song et al. 2021 ({@link Ddim}). */
  public static final Sampler DDIM = new Ddim();
  /** Lu et al. 2022, DPM-Solver++(2M) ({@link DpmSolverPlusPlus}). */
  public static final Sampler DPMPP_2M = new DpmSolverPlusPlus(2);
  /** Euler on the probability-flow ODE, Karras sigmas ({@link Euler}). */
  public static final Sampler EULER = new Euler();
  /** Ancestral Euler, Karras sigmas ({@link EulerAncestral}). */
  public static final Sampler EULER_A = new EulerAncestral();
  /** Heun, Karras et al. 2022 Algorithm 1 ({@link Heun}). */
  public static final Sampler HEUN = new Heun();

  private static final List<Sampler> ALL = List.of(DDPM, DDIM, DPMPP_2M, EULER, EULER_A, HEUN);

  private Samplers() {}

  /** Every built-in sampler, in the order help texts list them. */
  public static List<Sampler> all() {
    return ALL;
  }

  /** The names of {@link #all}: ddpm, ddim, dpm++2m, euler, euler-a, heun. */
  public static List<String> names() {
    return ALL.stream().map(Sampler::name).toList();
  }

  /** The sampler of that name (case and surrounding blanks ignored). */
  public static Sampler byName(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    for (Sampler s : ALL) {
      if (s.name().equals(n)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown sampler '" + name + "' (expected " + String.join(", ", names()) + ")"
        + io.jdiffusion.util.DidYouMean.hint(name, names()));
  }
}
