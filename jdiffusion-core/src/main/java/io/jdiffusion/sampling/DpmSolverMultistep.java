package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * DPM-Solver++ (Lu et al. 2022, "DPM-Solver++", Algorithms 1-2 and App. B), multistep, orders 1 to 3,
 * and its SDE variant, step for step as diffusers' DPMSolverMultistepScheduler. In lambda = log(alpha /
 * sigma) time, with alpha = 1/sqrt(1 + s^2) and sigma = s alpha for the path's noise level s (VP form),
 * h = lambda_{i+1} - lambda_i and D0 the data prediction x0 at point i:
 *
 * <pre>first order (= DDIM eta 0): x_{i+1} = sigma_{i+1}/sigma_i x_i - alpha_{i+1} (e^{-h} - 1) D0
 * second order (2M, midpoint): r0 = h_{i-1} / h, D1 = (D0 - x0_{i-1}) / r0
 *                              x_{i+1} = sigma_{i+1}/sigma_i x_i - alpha_{i+1} (e^{-h} - 1) (D0 + D1 / 2)
 * third order (3M):            D1 = D1_0 + r0/(r0 + r1) (D1_0 - D1_1), D2 = (D1_0 - D1_1)/(r0 + r1)
 *                              x_{i+1} = sigma_{i+1}/sigma_i x_i - alpha_{i+1} (e^{-h} - 1) D0
 *                                        + alpha_{i+1} ((e^{-h} - 1)/h + 1) D1 - alpha_{i+1} ((e^{-h} - 1 + h)/h^2 - 1/2) D2
 * SDE (sde-dpmsolver++):       x_{i+1} = sigma_{i+1}/sigma_i e^{-h} x_i + alpha_{i+1} (1 - e^{-2h}) (D0 + D1 / 2)
 *                                        + sigma_{i+1} sqrt(1 - e^{-2h}) z</pre>
 *
 * The first steps lack history and use the lower orders; the last step is first order when the
 * path ends at sigma = 0 (or, with lowerOrderFinal, for runs under 15 steps, where the second-last
 * is at most second order too). The path: diffusers' solver spacing ({@link Timesteps#selectSolver})
 * or Karras sigmas at rounded timesteps, ending at 0 or at sigma_0.
 */
public final class DpmSolverMultistep implements Sampler {
  /** The settings of one variant: diffusers' scheduler keys. */
  public record Settings(int order, boolean sde, boolean karras, boolean finalSigmaMin, boolean lowerOrderFinal,
      boolean heunSolver, boolean eulerAtFinal) {
    public Settings {
      if (order < 1 || order > 3) {
        throw new IllegalArgumentException("DPM-Solver++ order must be 1, 2 or 3, got " + order);
      }
      if (sde && order == 3) {
        throw new IllegalArgumentException("sde-dpmsolver++ has orders 1 and 2 only");
      }
    }

    /** diffusers' defaults for an order: ODE, spaced timesteps, ending at 0, lower-order final steps. */
    public static Settings of(int order) {
      return new Settings(order, false, false, false, true, false, false);
    }

    public Settings withKarras(boolean on) {
      return new Settings(order, sde, on, finalSigmaMin, lowerOrderFinal, heunSolver, eulerAtFinal);
    }

    public Settings withSde(boolean on) {
      return new Settings(order, on, karras, finalSigmaMin, lowerOrderFinal, heunSolver, eulerAtFinal);
    }
  }

  private final Traits traits;
  private final Settings settings;
  private History outputs;
  private int lowerOrderNums;

  /** @param name the command line's name for this variant, e.g. {@code dpm++2m-karras} */
  public DpmSolverMultistep(String name, Settings settings) {
    this.settings = settings;
    this.traits = Traits.of(name, Grid.TIMESTEPS).withSpacing(Timesteps.TRAILING);
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public boolean deterministic(double eta) {
    return !settings.sde();
  }

  @Override
  public Sampler newRun() {
    DpmSolverMultistep run = new DpmSolverMultistep(traits.name(), settings);
    run.outputs = new History(settings.order());
    return run;
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    double last = settings.finalSigmaMin() ? s.sigma(0) : 0;
    if (!settings.karras()) {
      return NoisePath.timesteps(s, run.spacing().selectSolver(s.steps(), steps, run.stepsOffset())).endingAt(last);
    }
    return roundedKarras(s, steps).endingAt(last);
  }

  /** Karras sigmas, each evaluated at its timestep rounded to an integer (diffusers' multistep solvers). */
  static NoisePath roundedKarras(NoiseSchedule s, int steps) {
    NoisePath k = NoisePath.sigmas(s, KarrasSigmas.of(s, steps));
    double[] t = k.t().clone();
    for (int i = 0; i + 1 < t.length; i++) {
      t[i] = Math.rint(t[i]);
    }
    return new NoisePath(t, k.sigma());
  }

  @Override
  public Tensor step(Step step) {
    int n = step.path().steps();
    int i = step.index();
    boolean lowerFinal = i == n - 1
        && (settings.eulerAtFinal() || (settings.lowerOrderFinal() && n < 15) || step.nextSigma() == 0);
    boolean lowerSecond = i == n - 2 && settings.lowerOrderFinal() && n < 15;
    Tensor x0 = step.estimateOnPath().x0();
    outputs.push(x0);
    Tensor z = settings.sde() ? step.z() : null;
    int order;
    if (settings.order() == 1 || lowerOrderNums < 1 || lowerFinal) {
      order = 1;
    } else if (settings.order() == 2 || lowerOrderNums < 2 || lowerSecond) {
      order = 2;
    } else {
      order = 3;
    }
    if (lowerOrderNums < settings.order()) {
      lowerOrderNums++;
    }
    double[] sig = step.path().sigma();
    double lambdaT = lambda(sig[i + 1]);
    double lambdaS0 = lambda(sig[i]);
    double h = lambdaT - lambdaS0;
    double alphaT = alpha(sig[i + 1]);
    double sigmaT = sig[i + 1] * alphaT;
    double sigmaS0 = sig[i] * alpha(sig[i]);
    Tensor d0 = x0;
    Tensor d1 = null;
    Tensor d2 = null;
    if (order >= 2) {
      double r0 = (lambdaS0 - lambda(sig[i - 1])) / h;
      Tensor d10 = d0.sub(outputs.get(1)).div(Torch.s(r0));
      d1 = d10;
      if (order == 3) {
        double r1 = (lambda(sig[i - 1]) - lambda(sig[i - 2])) / h;
        Tensor d11 = outputs.get(1).sub(outputs.get(2)).div(Torch.s(r1));
        d1 = d10.add(d10.sub(d11).mul(Torch.s(r0 / (r0 + r1))));
        d2 = d10.sub(d11).div(Torch.s(r0 + r1));
      }
    }
    double em = Math.expm1(-h); // e^{-h} - 1
    if (!settings.sde()) {
      Tensor x = step.x().mul(Torch.s(sigmaT / sigmaS0)).sub(d0.mul(Torch.s(alphaT * em)));
      if (order == 2 && !settings.heunSolver()) {
        x = x.sub(d1.mul(Torch.s(0.5 * alphaT * em)));
      } else if (order >= 2) {
        x = x.add(d1.mul(Torch.s(alphaT * (em / h + 1))));
      }
      if (order == 3) {
        x = x.sub(d2.mul(Torch.s(alphaT * ((em + h) / (h * h) - 0.5))));
      }
      return x;
    }
    double e2 = -Math.expm1(-2 * h); // 1 - e^{-2h}
    Tensor x = step.x().mul(Torch.s(sigmaT / sigmaS0 * Math.exp(-h))).add(d0.mul(Torch.s(alphaT * e2)));
    if (order == 2) {
      x = settings.heunSolver() ? x.add(d1.mul(Torch.s(alphaT * (e2 / (-2 * h) + 1))))
          : x.add(d1.mul(Torch.s(0.5 * alphaT * e2)));
    }
    return x.add(z.mul(Torch.s(sigmaT * Math.sqrt(e2))));
  }

  /** alpha = 1/sqrt(1 + s^2): sqrt(alphaBar) at noise level s. */
  static double alpha(double s) {
    return 1 / Math.sqrt(1 + s * s);
  }

  /** lambda = log(alpha / sigma) = -log s (+inf at s = 0). */
  static double lambda(double s) {
    double a = alpha(s);
    return Math.log(a) - Math.log(s * a);
  }

  @Override
  public void close() {
    if (outputs != null) {
      outputs.close();
    }
  }
}
