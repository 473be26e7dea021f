package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * One step of a sampling run as its {@link Sampler} sees it: point i of the {@link NoisePath}, x
 * there, the network, fresh noise, the settings and the history {@link SamplingLoop} keeps. The
 * first network evaluation of the step is recorded as the step's x0 estimate for callbacks and for
 * {@link #previousX0} of the next step.
 */
public final class Step {
  private final Denoiser d;
  private final NoiseSchedule s;
  private final NoisePath path;
  private final int i;
  private final Tensor x;
  private final ImageNoise noise;
  private final SamplerSettings settings;
  private final Tensor previousX0;
  private Tensor x0;

  Step(Denoiser d, NoiseSchedule s, NoisePath path, int i, Tensor x, ImageNoise noise, SamplerSettings settings,
      Tensor previousX0) {
    this.d = d;
    this.s = s;
    this.path = path;
    this.i = i;
    this.x = x;
    this.noise = noise;
    this.settings = settings;
    this.previousX0 = previousX0;
  }

  /** The step index i, 0 .. N - 1. */
  public int index() {
    return i;
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

  /** The discrete timestep at point i + 1 (-1 for the clean image). */
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

  /** The x0 estimate of step i - 1, or null at the first step (multistep solvers' history). */
  public Tensor previousX0() {
    return previousX0;
  }

  /** Fresh standard-normal noise z shaped like x, one stream per image. */
  public Tensor z() {
    long[] shape = Torch.shape(x);
    return noise.next(shape[1], shape[2], shape[3]);
  }

  /** The network's x0 and eps at the current discrete timestep ({@link Sampler.Grid#TIMESTEPS}). */
  public Estimate estimate() {
    Estimate e = Estimate.at(d, s, x, timestep(), settings.clip());
    record(e.x0());
    return e;
  }

  /** D(x; sigma_i) of Karras et al. 2022 at the current point ({@link Sampler.Grid#KARRAS_SIGMAS}). */
  public Tensor denoised() {
    Tensor out = denoised(x, sigma());
    record(out);
    return out;
  }

  /** D(x; sigma) at another point, e.g. Heun's second evaluation. */
  public Tensor denoised(Tensor at, double sigma) {
    return new SigmaDenoiser(d, s, settings.clip()).x0(at, sigma);
  }

  /** k-diffusion's {@code to_d}: the ODE's slope dx/dsigma = (x - D(x; sigma)) / sigma. */
  public static Tensor toD(Tensor x, double sigma, Tensor denoised) {
    return x.sub(denoised).div(Torch.s(sigma));
  }

  /** The step's first x0 estimate, or null when the rule has not evaluated the network yet. */
  Tensor x0() {
    return x0;
  }

  private void record(Tensor estimate) {
    if (x0 == null) {
      x0 = estimate;
    }
  }
}
