package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * The exact denoiser for data x0 ~ N(mu, s^2) per pixel: with x_t = a x0 + b eps,
 * E[x0 | x_t] = mu + a s^2 (x_t - a mu) / (a^2 s^2 + b^2). A correct sampler driven by it must
 * produce N(mu, s^2). At a fractional timestep t, a^2 = alphaBar is the schedule's continuous
 * {@link NoiseSchedule#alphaBarAt} (log-sigma interpolation), the one the samplers assume.
 */
final class GaussianDenoiser implements Denoiser {
  private final NoiseSchedule s;
  private final double mu;
  private final double sd;
  private final Prediction prediction;

  GaussianDenoiser(NoiseSchedule s, double mu, double sd, Prediction prediction) {
    this.s = s;
    this.mu = mu;
    this.sd = sd;
    this.prediction = prediction;
  }

  @Override
  public Prediction prediction() {
    return prediction;
  }

  @Override
  public Tensor output(Tensor xt, double t) {
    double alphaBar = s.alphaBarAt(t);
    double a = Math.sqrt(alphaBar);
    double b = Math.sqrt(1 - alphaBar);
    double gain = a * sd * sd / (a * a * sd * sd + b * b);
    Tensor x0 = xt.sub(Torch.s(a * mu)).mul(Torch.s(gain)).add(Torch.s(mu));
    Tensor eps = xt.sub(x0.mul(Torch.s(a))).div(Torch.s(b));
    return prediction.target(x0, eps, Torch.scalar(a), Torch.scalar(b));
  }

  /** Sample mean and standard deviation (n - 1 denominator) of v: what a sampler's output is checked by. */
  static double[] meanSd(float[] v) {
    double m = 0;
    for (float x : v) {
      m += x;
    }
    m /= v.length;
    double var = 0;
    for (float x : v) {
      var += (x - m) * (x - m);
    }
    return new double[] {m, Math.sqrt(var / (v.length - 1))};
  }
}
