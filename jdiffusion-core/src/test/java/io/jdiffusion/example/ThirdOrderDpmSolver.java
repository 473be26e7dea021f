package io.jdiffusion.example;

import io.jdiffusion.sampling.History;
import io.jdiffusion.sampling.NoisePath;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Step;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * DPM-Solver++(3M) (Lu et al. 2022, App. B) written outside the library, as docs/extending.md shows:
 * one class with its name, its path, its per-run state and its update. With alpha = 1/sqrt(1 + s^2),
 * sigma = s alpha, lambda = -log s, h = lambda_{i+1} - lambda_i and the last three x0 estimates:
 *
 * <pre>x_{i+1} = sigma_{i+1}/sigma_i x_i - alpha_{i+1} (e^{-h} - 1) D0 + alpha_{i+1} ((e^{-h} - 1)/h + 1) D1
 *           - alpha_{i+1} ((e^{-h} - 1 + h)/h^2 - 1/2) D2</pre>
 *
 * The first steps lack history (orders 1, then 2 with the midpoint rule); the last step, to the clean
 * image, is first order.
 */
public final class ThirdOrderDpmSolver implements Sampler {
  private final History x0s = new History(3); // this run's last three x0 estimates, newest first

  @Override
  public Traits traits() {
    return Traits.of("my-dpm++3m", Grid.TIMESTEPS).withSpacing(Timesteps.TRAILING);
  }

  @Override
  public Sampler newRun() {
    return new ThirdOrderDpmSolver(); // fresh state for every run
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    return NoisePath.timesteps(s, run.spacing().selectSolver(s.steps(), steps, run.stepsOffset()));
  }

  @Override
  public Tensor step(Step step) {
    double[] s = step.path().sigma();
    int i = step.index();
    x0s.push(step.estimateOnPath().x0());
    int order = step.last() ? 1 : Math.min(i + 1, 3);
    double h = lambda(s[i + 1]) - lambda(s[i]);
    double alpha = 1 / Math.sqrt(1 + s[i + 1] * s[i + 1]);
    double em = Math.expm1(-h); // e^{-h} - 1
    Tensor x = step.x().mul(new Scalar(s[i + 1] / Math.sqrt(1 + s[i + 1] * s[i + 1]) * Math.sqrt(1 + s[i] * s[i]) / s[i]))
        .sub(x0s.get(0).mul(new Scalar(alpha * em)));
    if (order == 1) {
      return x;
    }
    double r0 = (lambda(s[i]) - lambda(s[i - 1])) / h;
    Tensor d10 = x0s.get(0).sub(x0s.get(1)).div(new Scalar(r0));
    if (order == 2) {
      return x.sub(d10.mul(new Scalar(0.5 * alpha * em)));
    }
    double r1 = (lambda(s[i - 1]) - lambda(s[i - 2])) / h;
    Tensor d11 = x0s.get(1).sub(x0s.get(2)).div(new Scalar(r1));
    Tensor d1 = d10.add(d10.sub(d11).mul(new Scalar(r0 / (r0 + r1))));
    Tensor d2 = d10.sub(d11).div(new Scalar(r0 + r1));
    return x.add(d1.mul(new Scalar(alpha * (em / h + 1)))).sub(d2.mul(new Scalar(alpha * ((em + h) / (h * h) - 0.5))));
  }

  private static double lambda(double s) {
    return -Math.log(s); // log(alpha / sigma)
  }

  @Override
  public void close() {
    x0s.close();
  }
}
