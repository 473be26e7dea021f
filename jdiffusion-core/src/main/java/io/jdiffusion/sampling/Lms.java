package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * The linear multistep method of order 4 on the probability-flow ODE in sigma space (k-diffusion's
 * {@code sample_lms}, diffusers' LMSDiscreteScheduler): with the slopes d_j = (x_j - D(x_j; sigma_j)) /
 * sigma_j of the last k = min(i + 1, 4) steps,
 *
 * <pre>x_{i+1} = x_i + sum_{m=0}^{k-1} c_m d_{i-m},   c_m = integral from sigma_i to sigma_{i+1} of
 *           prod_{l != m, l < k} (tau - sigma_{i-l}) / (sigma_{i-m} - sigma_{i-l}) dtau</pre>
 *
 * the Adams-Bashforth weights for uneven steps: each c_m integrates the Lagrange polynomial through
 * the previous sigmas, exactly (Gauss-Legendre with 3 nodes is exact for these degree-3 polynomials;
 * diffusers uses scipy's quad).
 */
public final class Lms implements Sampler {
  /** The number of slopes combined. */
  public static final int ORDER = 4;

  private final Traits traits;
  private final boolean karras;
  private History slopes;

  /** @param karras walk Karras et al.'s sigmas rather than the spaced timesteps' */
  public Lms(String name, boolean karras) {
    this.traits = Traits.of(name, Grid.SIGMAS).withSpacing(Timesteps.LINSPACE);
    this.karras = karras;
  }

  /** Whether this variant walks Karras sigmas. */
  public boolean karras() {
    return karras;
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public Sampler newRun() {
    Lms run = new Lms(traits.name(), karras);
    run.slopes = new History(ORDER);
    return run;
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    return KarrasSigmas.spacedPath(s, steps, run, karras);
  }

  @Override
  public Tensor step(Step step) {
    int i = step.index();
    double[] sigmas = step.path().sigma();
    slopes.push(Step.toD(step.x(), step.sigma(), step.denoised()));
    int order = Math.min(i + 1, ORDER);
    Tensor x = step.x();
    for (int m = 0; m < order; m++) {
      x = x.add(slopes.get(m).mul(Torch.s(coefficient(sigmas, order, i, m))));
    }
    return x;
  }

  /** c_m: the Lagrange basis polynomial m through sigma_i, ..., sigma_{i-order+1}, integrated over [sigma_i, sigma_{i+1}]. */
  static double coefficient(double[] sigmas, int order, int i, int m) {
    double a = sigmas[i];
    double b = sigmas[i + 1];
    double[] nodes = {-Math.sqrt(0.6), 0, Math.sqrt(0.6)};
    double[] weights = {5.0 / 9, 8.0 / 9, 5.0 / 9};
    double sum = 0;
    for (int q = 0; q < 3; q++) {
      double tau = (b - a) / 2 * nodes[q] + (a + b) / 2;
      double prod = 1;
      for (int l = 0; l < order; l++) {
        if (l != m) {
          prod *= (tau - sigmas[i - l]) / (sigmas[i - m] - sigmas[i - l]);
        }
      }
      sum += weights[q] * prod;
    }
    return sum * (b - a) / 2;
  }

  @Override
  public void close() {
    if (slopes != null) {
      slopes.close();
    }
  }
}
