package io.jdiffusion.diffusion;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * The forward (noising) process on tensors, for a batch with one timestep per image. Coefficients
 * come from the {@link NoiseSchedule} in double and are gathered on the host.
 */
public final class ForwardProcess {
  private final NoiseSchedule schedule;

  public ForwardProcess(NoiseSchedule schedule) {
    this.schedule = schedule;
  }

  public NoiseSchedule schedule() {
    return schedule;
  }

  /** sqrt(alphaBar_t) per image, as a [B,1,1,1] tensor. */
  public Tensor sqrtAlphaBar(int[] t) {
    double[] v = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      v[i] = schedule.sqrtAlphaBar(t[i]);
    }
    return perImage(v);
  }

  /** sqrt(1 - alphaBar_t) per image, as a [B,1,1,1] tensor. */
  public Tensor sqrtOneMinusAlphaBar(int[] t) {
    double[] v = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      v[i] = schedule.sqrtOneMinusAlphaBar(t[i]);
    }
    return perImage(v);
  }

  /** Sample q(x_t | x_0): x_t = sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps (Ho et al. eq. 4). */
  public Tensor qSample(Tensor x0, int[] t, Tensor eps) {
    return sqrtAlphaBar(t).mul(x0).add(sqrtOneMinusAlphaBar(t).mul(eps));
  }

  /**
   * Mean of the posterior q(x_{t-1} | x_t, x_0) (Ho et al. eq. 7):
   * c0_t x0 + ct_t x_t. Its variance is {@link NoiseSchedule#posteriorVariance}.
   */
  public Tensor posteriorMean(Tensor x0, Tensor xt, int[] t) {
    double[] c0 = new double[t.length];
    double[] ct = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      c0[i] = schedule.posteriorMeanCoefX0(t[i]);
      ct[i] = schedule.posteriorMeanCoefXt(t[i]);
    }
    return perImage(c0).mul(x0).add(perImage(ct).mul(xt));
  }

  /** A [B,1,1,1] float32 tensor of per-image coefficients. */
  public static Tensor perImage(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return Torch.tensor(f, v.length, 1, 1, 1);
  }
}
