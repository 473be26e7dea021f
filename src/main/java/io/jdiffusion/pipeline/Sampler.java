package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.sampling.Ddim;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.DpmSolverPlusPlus;
import io.jdiffusion.sampling.Euler;
import io.jdiffusion.sampling.EulerAncestral;
import io.jdiffusion.sampling.Heun;
import io.jdiffusion.sampling.KarrasSigmas;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Tensor;

/** The samplers by their command-line names, and how each runs from {@link SampleOptions}. */
public enum Sampler {
  /** Ho et al. 2020, Algorithm 2 ({@link Ddpm}). */
  DDPM("ddpm"),
  /** Song et al. 2021 ({@link Ddim}). */
  DDIM("ddim"),
  /** Lu et al. 2022, DPM-Solver++(2M) ({@link DpmSolverPlusPlus}). */
  DPMPP_2M("dpm++2m"),
  /** Euler on the probability-flow ODE, Karras sigmas ({@link Euler}). */
  EULER("euler"),
  /** Ancestral Euler, Karras sigmas ({@link EulerAncestral}). */
  EULER_A("euler-a"),
  /** Heun, Karras et al. 2022 Algorithm 1 ({@link Heun}). */
  HEUN("heun");

  private final String cliName;

  Sampler(String cliName) {
    this.cliName = cliName;
  }

  /** The command-line name: ddpm, ddim, dpm++2m, euler, euler-a or heun. */
  public String cliName() {
    return cliName;
  }

  public static Sampler parse(String s) {
    String name = s.strip().toLowerCase(Locale.ROOT);
    for (Sampler k : values()) {
      if (k.cliName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown sampler '" + s + "' (expected "
        + String.join(", ", Arrays.stream(values()).map(Sampler::cliName).toList()) + ")");
  }

  /** Whether it visits the schedule's discrete timesteps (so the spacing applies), not Karras sigmas. */
  public boolean discrete() {
    return this == DDPM || this == DDIM || this == DPMPP_2M;
  }

  /** Network evaluations for N steps: 2N - 1 for Heun, N for the others. */
  public int evaluations(int steps) {
    return this == HEUN ? 2 * steps - 1 : steps;
  }

  /** The default eta: 1 for Euler a (ancestral), 0 (deterministic DDIM) for the others. */
  public double defaultEta() {
    return this == EULER_A ? 1.0 : 0.0;
  }

  /** The default spacing: trailing for DPM-Solver++ (near diffusers' DPM-Solver default), else leading. */
  public String defaultSpacing() {
    return this == DPMPP_2M ? "trailing" : "leading";
  }

  /** Samples one batch from x_T; onStep gets the index of each finished step. */
  public Tensor run(Denoiser d, NoiseSchedule s, Tensor xT, ImageNoise noise, SampleOptions o, IntConsumer onStep) {
    if (!discrete()) {
      double[] sigmas = KarrasSigmas.of(s, o.steps());
      return switch (this) {
        case EULER -> Euler.sample(d, s, xT, sigmas, o.clip(), onStep);
        case EULER_A -> EulerAncestral.sample(d, s, xT, noise, sigmas, o.eta(), o.clip(), onStep);
        default -> Heun.sample(d, s, xT, sigmas, o.clip(), onStep);
      };
    }
    int[] timesteps = Timesteps.parse(o.spacing()).select(s.steps(), o.steps());
    return switch (this) {
      case DDPM -> Ddpm.sample(d, s, xT, noise, timesteps, Ddpm.Variance.parse(o.variance()), o.clip(), onStep);
      case DDIM -> Ddim.sample(d, s, xT, noise, timesteps, o.eta(), o.clip(), onStep);
      default -> DpmSolverPlusPlus.sample(d, s, xT, timesteps, 2, o.clip(), onStep);
    };
  }
}
