package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Pseudo linear multistep (PLMS) of Liu et al. 2022, "Pseudo Numerical Methods for Diffusion Models",
 * as diffusers' PNDMScheduler with skip_prk_steps (the Stable Diffusion 1.x default): the noise
 * estimates of the last steps are combined by the Adams-Bashforth weights
 *
 * <pre>e' = e_0                                              (first step; then repeated at the same t,
 *                                                          averaged with the new estimate: a Heun step)
 * e' = (3 e_0 - e_1) / 2,  (23 e_0 - 16 e_1 + 5 e_2) / 12,  (55 e_0 - 59 e_1 + 37 e_2 - 9 e_3) / 24</pre>
 *
 * and the transfer of eq. 9 moves x_t to x_p, p = t - T // N:
 *
 * <pre>x_p = sqrt(alphaBar_p / alphaBar_t) x_t - (alphaBar_p - alphaBar_t) e' /
 *       (alphaBar_t sqrt(1 - alphaBar_p) + sqrt(alphaBar_t (1 - alphaBar_t) alphaBar_p))</pre>
 *
 * N steps take N + 1 network evaluations: the second timestep is visited twice. For v-prediction the
 * combined output is converted to eps at the step's own x_t (as diffusers does); x0 prediction is not
 * supported.
 */
public final class Pndm implements Sampler {
  private final Traits traits;
  private History outputs;
  private Carry firstSample;

  public Pndm(String name) {
    this.traits = Traits.of(name, Grid.TIMESTEPS);
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public int evaluations(int steps) {
    return steps == 1 ? 1 : steps + 1;
  }

  @Override
  public Sampler newRun() {
    Pndm run = new Pndm(traits.name());
    run.outputs = new History(4);
    return run;
  }

  /**
   * diffusers' plms_timesteps: the N spaced timesteps with the second one repeated, t_0, t_1, t_1, t_2,
   * ..., t_{N-1} (one point for N = 1), each step landing on t - T // N, then the end.
   */
  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    int[] t = run.spacing().select(s.steps(), steps, run.stepsOffset()); // descending
    int[] plms = t;
    if (steps > 1) {
      plms = new int[steps + 1];
      plms[0] = t[0];
      System.arraycopy(t, 1, plms, 2, steps - 1);
      plms[1] = t[1];
    }
    return NoisePath.timesteps(s, plms).landingBy(s.steps() / steps);
  }

  @Override
  public Tensor step(Step step) {
    NoiseSchedule s = step.schedule();
    int i = step.index();
    int t = step.timestep();
    int prev = step.path().landing(i); // t - T // N
    int ratio = t - prev;
    Tensor out = step.output();
    Tensor sample = step.x();
    if (i != 1) {
      outputs.push(out);
    } else {
      prev = t;
      t = t + ratio;
    }
    Tensor e;
    int k = outputs.size();
    if (k == 1 && i == 0) {
      e = out;
      firstSample = new Carry(sample);
    } else if (k == 1 && i == 1) {
      e = out.add(outputs.get(0)).div(Torch.s(2));
      sample = firstSample.get();
    } else if (k == 2) {
      e = outputs.get(0).mul(Torch.s(3)).sub(outputs.get(1)).div(Torch.s(2));
    } else if (k == 3) {
      e = outputs.get(0).mul(Torch.s(23)).sub(outputs.get(1).mul(Torch.s(16))).add(outputs.get(2).mul(Torch.s(5)))
          .div(Torch.s(12));
    } else {
      e = outputs.get(0).mul(Torch.s(55)).sub(outputs.get(1).mul(Torch.s(59))).add(outputs.get(2).mul(Torch.s(37)))
          .sub(outputs.get(3).mul(Torch.s(9))).mul(Torch.s(1.0 / 24));
    }
    return transfer(s, sample, t, prev, e, step.prediction(), step.settings().alphaToOne());
  }

  /** Eq. 9 of Liu et al. from x_t to x_prev with the combined output e (eps, or v converted at x_t). */
  static Tensor transfer(NoiseSchedule s, Tensor x, int t, int prev, Tensor e, Prediction p, boolean alphaToOne) {
    double abT = s.alphaBar(t);
    double abP = prev >= 0 ? s.alphaBar(prev) : alphaToOne ? 1.0 : s.alphaBar(0);
    if (p == Prediction.V) {
      e = e.mul(Torch.s(Math.sqrt(abT))).add(x.mul(Torch.s(Math.sqrt(1 - abT))));
    } else if (p != Prediction.EPS) {
      throw new IllegalArgumentException("pndm needs a model predicting eps or v, not " + p);
    }
    double denominator = abT * Math.sqrt(1 - abP) + Math.sqrt(abT * (1 - abT) * abP);
    return x.mul(Torch.s(Math.sqrt(abP / abT))).sub(e.mul(Torch.s((abP - abT) / denominator)));
  }

  @Override
  public void close() {
    if (outputs != null) {
      outputs.close();
    }
    if (firstSample != null) {
      firstSample.close();
    }
  }
}
