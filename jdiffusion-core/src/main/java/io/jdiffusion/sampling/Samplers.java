package io.jdiffusion.sampling;

import io.jdiffusion.util.DidYouMean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every built-in sampler, by name: the one registry the command line, the server, model files and
 * diffusers scheduler configs look samplers up in. Each entry is a prototype ({@link Sampler#newRun}
 * gives a run its own state). Names follow diffusers' and k-diffusion's common names; {@code -karras}
 * walks Karras et al.'s sigmas, the plain name the spaced timesteps (diffusers' default).
 */
public final class Samplers {
  /** Ho et al. 2020, Algorithm 2 ({@link Ddpm}). */
  public static final Sampler DDPM = new Ddpm();
  /** Song et al. 2021 ({@link Ddim}). */
  public static final Sampler DDIM = new Ddim();
  /** Liu et al. 2022, PLMS ({@link Pndm}): Stable Diffusion 1.x's default. */
  public static final Sampler PNDM = new Pndm("pndm");
  /** Linear multistep, order 4 ({@link Lms}). */
  public static final Sampler LMS = new Lms("lms", false);
  public static final Sampler LMS_KARRAS = new Lms("lms-karras", true);
  /** Euler on the probability-flow ODE ({@link Euler}). */
  public static final Sampler EULER = new Euler("euler", false);
  public static final Sampler EULER_KARRAS = new Euler("euler-karras", true);
  /** Ancestral Euler ({@link EulerAncestral}). */
  public static final Sampler EULER_A = new EulerAncestral("euler-a", false);
  public static final Sampler EULER_A_KARRAS = new EulerAncestral("euler-a-karras", true);
  /** Heun, Karras et al. 2022 Algorithm 1 ({@link Heun}). */
  public static final Sampler HEUN = new Heun("heun", false);
  public static final Sampler HEUN_KARRAS = new Heun("heun-karras", true);
  /** Lu et al. 2022, DPM-Solver++(2M) ({@link DpmSolverMultistep}). */
  public static final Sampler DPMPP_2M = dpm("dpm++2m", DpmSolverMultistep.Settings.of(2));
  public static final Sampler DPMPP_2M_KARRAS = dpm("dpm++2m-karras", DpmSolverMultistep.Settings.of(2).withKarras(true));
  /** SDE-DPM-Solver++(2M). */
  public static final Sampler DPMPP_2M_SDE = dpm("dpm++2m-sde", DpmSolverMultistep.Settings.of(2).withSde(true));
  public static final Sampler DPMPP_2M_SDE_KARRAS = dpm("dpm++2m-sde-karras",
      DpmSolverMultistep.Settings.of(2).withSde(true).withKarras(true));
  /** DPM-Solver++(3M). */
  public static final Sampler DPMPP_3M = dpm("dpm++3m", DpmSolverMultistep.Settings.of(3));
  public static final Sampler DPMPP_3M_KARRAS = dpm("dpm++3m-karras", DpmSolverMultistep.Settings.of(3).withKarras(true));
  /** Zhao et al. 2023, UniPC ({@link UniPc}). */
  public static final Sampler UNIPC = new UniPc("unipc", UniPc.Settings.defaults());
  public static final Sampler UNIPC_KARRAS = new UniPc("unipc-karras", UniPc.Settings.defaults().withKarras(true));
  /** Luo et al. 2023, latent consistency models ({@link Lcm}). */
  public static final Sampler LCM = new Lcm("lcm", Lcm.Settings.defaults());

  private static final List<Sampler> ALL = new ArrayList<>(List.of(DDPM, DDIM, PNDM, LMS, LMS_KARRAS, EULER,
      EULER_KARRAS, EULER_A, EULER_A_KARRAS, HEUN, HEUN_KARRAS, DPMPP_2M, DPMPP_2M_KARRAS, DPMPP_2M_SDE,
      DPMPP_2M_SDE_KARRAS, DPMPP_3M, DPMPP_3M_KARRAS, UNIPC, UNIPC_KARRAS, LCM));

  /** Other spellings: diffusers', k-diffusion's and the web UIs' names (after {@link #normalize}). */
  private static final Map<String, String> ALIASES = new LinkedHashMap<>();

  static {
    ALIASES.put("plms", "pndm");
    ALIASES.put("euler-ancestral", "euler-a");
    ALIASES.put("euler-ancestral-karras", "euler-a-karras");
    ALIASES.put("dpm++", "dpm++2m");
    ALIASES.put("dpm-solver++", "dpm++2m");
    ALIASES.put("dpmsolver++", "dpm++2m");
    ALIASES.put("dpm++2m-sde-gpu", "dpm++2m-sde");
    ALIASES.put("uni-pc", "unipc");
    ALIASES.put("lms-discrete", "lms");
  }

  private Samplers() {}

  /** Every built-in sampler, in the order help texts list them. */
  public static List<Sampler> all() {
    return List.copyOf(ALL);
  }

  /** The names of {@link #all}. */
  public static List<String> names() {
    return ALL.stream().map(Sampler::name).toList();
  }

  /** The aliases, each with the name it stands for. */
  public static Map<String, String> aliases() {
    return Map.copyOf(ALIASES);
  }

  /**
   * Adds a sampler to the registry (an application's own, see docs/extending.md).
   *
   * @throws IllegalArgumentException when its name is taken
   */
  public static synchronized void register(Sampler sampler) {
    String n = sampler.name();
    if (!n.equals(normalize(n)) || names().contains(n) || ALIASES.containsKey(n)) {
      throw new IllegalArgumentException("sampler name '" + n + "' is taken or not in lower-case-with-dashes form");
    }
    ALL.add(sampler);
  }

  /**
   * The sampler of that name or alias: case, blanks, underscores, a {@code k-} prefix and {@code dpmpp}
   * for {@code dpm++} are ignored, so "DPM++ 2M Karras", "k_dpmpp_2m_karras" and "dpm++2m-karras" agree.
   */
  public static Sampler byName(String name) {
    String n = normalize(name);
    n = ALIASES.getOrDefault(n, n);
    for (Sampler s : ALL) {
      if (s.name().equals(n)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown sampler '" + name + "' (expected " + String.join(", ", names()) + ")"
        + DidYouMean.hint(name, names()));
  }

  /** Lower case, runs of blanks and underscores as one dash, no {@code k-} prefix, {@code dpm++} joined to its order. */
  static String normalize(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s_]+", "-").replace("dpmpp", "dpm++");
    if (n.startsWith("k-")) {
      n = n.substring(2);
    }
    return n.replace("dpm++-", "dpm++");
  }

  private static Sampler dpm(String name, DpmSolverMultistep.Settings settings) {
    return new DpmSolverMultistep(name, settings);
  }
}
