package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Noise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * One step of a sampling run as its {@link Sampler} sees it: point i of the {@link NoisePath}, x
 * there, the network, fresh noise and the settings. The first network evaluation of the step is
 * recorded as the step's x0 estimate for callbacks.
 *
 * <p>Three views of the network: {@link #estimate} (x0 and eps at the discrete timestep, VP form, as
 * DDPM and DDIM read it), {@link #estimateOnPath} (the same from the path's sigma, as DPM-Solver and
 * UniPC read it) and {@link #denoised} (EDM's D(x; sigma) for samplers in VE form); {@link #output} is
 * the raw network output for samplers that combine outputs before converting them (PLMS).
 */
public final class Step {
  private final Denoiser d;
  private final NoiseSchedule s;
  private final NoisePath path;
  private final int i;
  private final Tensor x;
  private final Noise noise;
  private final SamplerSettings settings;
  private Tensor x0;
  private Tensor output;

  Step(Denoiser d, NoiseSchedule s, NoisePath path, int i, Tensor x, Noise noise, SamplerSettings settings) {
    this.d = d;
    this.s = s;
    this.path = path;
    this.i = i;
    this.x = x;
    this.noise = noise;
    this.settings = settings;
  }

  /** The step index i, 0 .. N - 1. */
  public int index() {
    return i;
  }

  /** Whether this is the last step of the run. */
  public boolean last() {
    return i == path.steps() - 1;
  }

  /** x at point i, in the sampler's {@link Sampler.Grid} form. */
  public Tensor x() {
    return x;
  }

  public NoiseSchedule schedule() {
    return s;
  }

  public NoisePath path() {
    return path;
  }

  public SamplerSettings settings() {
    return settings;
  }

  /** The discrete timestep at point i. */
  public int timestep() {
    return path.timestep(i);
  }

  /** The discrete timestep at point i + 1 (-1 for the end). */
  public int nextTimestep() {
    return path.timestep(i + 1);
  }

  /** sigma_i. */
  public double sigma() {
    return path.sigma()[i];
  }

  /** sigma_{i+1} (0 for the clean image). */
  public double nextSigma() {
    return path.sigma()[i + 1];
  }

  /** Fresh standard-normal noise z shaped like x, one stream per image. */
  public Tensor z() {
    long[] shape = Torch.shape(x);
    return noise.next(shape[1], shape[2], shape[3]);
  }

  /** The network's raw output (eps, x0 or v) at x, at the path's timestep t_i. */
  public Tensor output() {
    Tensor out = d.output(x, path.t()[i]);
    if (output == null) {
      output = out;
    }
    return out;
  }

  /** What the network's output parameterizes. */
  public io.jdiffusion.diffusion.Prediction prediction() {
    return d.prediction();
  }

  /** The network's x0 and eps at the current discrete timestep, from alphaBar_t ({@link Sampler.Grid#TIMESTEPS}). */
  public Estimate estimate() {
    Estimate e = Estimate.at(d, s, x, timestep(), settings.clip());
    record(e.x0());
    return e;
  }

  /**
   * The network's x0 and eps at point i with sqrt(alphaBar) = 1/sqrt(1 + sigma_i^2) from the path's sigma
   * (diffusers' DPMSolverMultistepScheduler and UniPC, where a Karras sigma is not its rounded timestep's).
   */
  public Estimate estimateOnPath() {
    double a = 1 / Math.sqrt(1 + sigma() * sigma());
    Estimate e = Estimate.at(d, x, path.t()[i], a, sigma() * a, settings.clip());
    record(e.x0());
    return e;
  }

  /** D(x; sigma_i) of Karras et al. 2022 at the current point ({@link Sampler.Grid#SIGMAS}). */
  public Tensor denoised() {
    Tensor out = denoisedAt(x, i);
    record(out);
    return out;
  }

  /** D(x; sigma_j) at another x and path point j, e.g. Heun's second evaluation at point i + 1. */
  public Tensor denoisedAt(Tensor at, int j) {
    return new SigmaDenoiser(d, s, settings.clip()).x0(at, path.sigma()[j], path.t()[j]);
  }

  /** k-diffusion's {@code to_d}: the ODE's slope dx/dsigma = (x - D(x; sigma)) / sigma. */
  public static Tensor toD(Tensor x, double sigma, Tensor denoised) {
    return x.sub(denoised).div(Torch.s(sigma));
  }

  /**
   * The step's first x0 estimate, or null when the rule has not evaluated the network yet; from a raw
   * {@link #output} it is converted here, only when a callback asks.
   */
  Tensor x0() {
    if (x0 == null && output != null) {
      double a = 1 / Math.sqrt(1 + sigma() * sigma());
      x0 = d.prediction().toX0(x, output, a, sigma() * a);
    }
    return x0;
  }

  private void record(Tensor estimate) {
    if (x0 == null && output == null) { // the first evaluation's: a raw output converts in x0()
      x0 = estimate;
    }
  }
}
