package io.jdiffusion.sampling;

import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models"), data-prediction form, as diffusers' UniPCMultistepScheduler. In lambda = log(alpha /
 * sigma) time with h = lambda_{i+1} - lambda_i, the model's x0 estimates m_j, r_k = (lambda_{i-k} - lambda_i)
 * / h and D_k = (m_{i-k} - m_i) / r_k:
 *
 * <pre>UniP (Algorithm 2, predictor):  x_{i+1} = sigma_{i+1}/sigma_i x_i - alpha_{i+1} (e^{-h} - 1) m_i
 *                                            - alpha_{i+1} B(h) sum_k rho^p_k D_k
 * UniC (Algorithm 1, corrector):  x_i^c   = sigma_i/sigma_{i-1} x_{i-1} - alpha_i (e^{-h'} - 1) m_{i-1}
 *                                            - alpha_i B(h') (sum_k rho^c_k D_k + rho^c_K (m_i - m_{i-1}))</pre>
 *
 * with B(h) = e^{-h} - 1 (bh2) or -h (bh1), and the rho solving R rho = b for R_{pk} = r_k^p and b_p =
 * p! phi_{p+1}(-h) / B(h) (eq. 7; rho^p = 1/2 at order 2, rho^c = 1/2 at order 1). Each step first
 * corrects x_i with the new estimate m_i (no extra network evaluation: the corrector re-uses it), then
 * predicts x_{i+1}. Orders rise from 1 over the first steps and, with lowerOrderFinal, fall at the end.
 */
public final class UniPc implements Sampler {
  /**
   * @param order solver_order, 1 to 3
   * @param bh2 B(h) = e^{-h} - 1 (diffusers' default, bh2) rather than -h (bh1)
   * @param karras Karras sigmas at rounded timesteps
   * @param finalSigmaMin end at the smallest sigma instead of 0
   * @param lowerOrderFinal lower the order over the last steps
   * @param disableCorrector step indices whose following step skips the corrector
   */
  public record Settings(int order, boolean bh2, boolean karras, boolean finalSigmaMin, boolean lowerOrderFinal,
      Set<Integer> disableCorrector) {
    public Settings {
      if (order < 1 || order > 3) {
        throw new IllegalArgumentException("UniPC order must be 1, 2 or 3, got " + order);
      }
      disableCorrector = Set.copyOf(disableCorrector);
    }

    /** diffusers' defaults: order 2, bh2, spaced timesteps ending at 0, lower orders at the end. */
    public static Settings defaults() {
      return new Settings(2, true, false, false, true, Set.of());
    }

    public Settings withKarras(boolean on) {
      return new Settings(order, bh2, on, finalSigmaMin, lowerOrderFinal, disableCorrector);
    }
  }

  private final Traits traits;
  private final Settings settings;
  private History outputs;
  private Carry lastSample;
  private int lowerOrderNums;
  private int thisOrder;

  public UniPc(String name, Settings settings) {
    this.traits = Traits.of(name, Grid.TIMESTEPS).withSpacing(Timesteps.LINSPACE);
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public Traits traits() {
    return traits;
  }

  @Override
  public Sampler newRun() {
    UniPc run = new UniPc(traits.name(), settings);
    run.outputs = new History(settings.order());
    return run;
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    if (!settings.karras()) {
      return NoisePath.timesteps(s, run.spacing().selectSolver(s.steps(), steps, run.stepsOffset()))
          .endingAt(settings.finalSigmaMin() ? s.sigma(0) : 0);
    }
    NoisePath k = DpmSolverMultistep.roundedKarras(s, steps);
    return k.endingAt(settings.finalSigmaMin() ? k.sigma()[steps - 1] : 0);
  }

  @Override
  public Tensor step(Step step) {
    int i = step.index();
    int n = step.path().steps();
    double[] sig = step.path().sigma();
    Tensor m = step.estimateOnPath().x0();
    Tensor x = step.x();
    if (i > 0 && !settings.disableCorrector().contains(i - 1) && lastSample != null) {
      x = correct(sig, i, m, lastSample.get(), thisOrder);
    }
    outputs.push(m);
    int order = settings.lowerOrderFinal() ? Math.min(settings.order(), n - i) : settings.order();
    thisOrder = Math.min(order, lowerOrderNums + 1);
    if (lastSample == null) {
      lastSample = new Carry(x);
    } else {
      lastSample.set(x);
    }
    Tensor next = predict(sig, i, x, thisOrder);
    if (lowerOrderNums < settings.order()) {
      lowerOrderNums++;
    }
    return next;
  }

  /** UniP-p from x_i (the newest output is m_i = outputs[0]). */
  private Tensor predict(double[] sig, int i, Tensor x, int order) {
    double h = lambda(sig[i + 1]) - lambda(sig[i]);
    double alphaT = DpmSolverMultistep.alpha(sig[i + 1]);
    double ratio = sig[i + 1] * alphaT / (sig[i] * DpmSolverMultistep.alpha(sig[i]));
    Coefficients c = coefficients(sig, i, i, h, order);
    Tensor m0 = outputs.get(0);
    Tensor out = x.mul(Torch.s(ratio)).sub(m0.mul(Torch.s(alphaT * c.hPhi1)));
    if (order >= 2) {
      double[] rho = order == 2 ? new double[] {0.5} : solve(sub(c.r), java.util.Arrays.copyOf(c.b, order - 1));
      Tensor res = null;
      for (int k = 1; k < order; k++) {
        Tensor d = outputs.get(k).sub(m0).div(Torch.s(c.rks[k - 1])).mul(Torch.s(rho[k - 1]));
        res = res == null ? d : res.add(d);
      }
      out = out.sub(res.mul(Torch.s(alphaT * c.bh)));
    }
    return out;
  }

  /** UniC-p: x_i corrected with m_i = model (not yet pushed), from x_{i-1} = last (outputs[0] is m_{i-1}). */
  private Tensor correct(double[] sig, int i, Tensor model, Tensor last, int order) {
    double h = lambda(sig[i]) - lambda(sig[i - 1]);
    double alphaT = DpmSolverMultistep.alpha(sig[i]);
    double ratio = sig[i] * alphaT / (sig[i - 1] * DpmSolverMultistep.alpha(sig[i - 1]));
    Coefficients c = coefficients(sig, i - 1, i - 1, h, order);
    double[] rho = order == 1 ? new double[] {0.5} : solve(c.r, c.b);
    Tensor m0 = outputs.get(0);
    Tensor res = model.sub(m0).mul(Torch.s(rho[order - 1]));
    for (int k = 1; k < order; k++) {
      res = res.add(outputs.get(k).sub(m0).div(Torch.s(c.rks[k - 1])).mul(Torch.s(rho[k - 1])));
    }
    return last.mul(Torch.s(ratio)).sub(m0.mul(Torch.s(alphaT * c.hPhi1))).sub(res.mul(Torch.s(alphaT * c.bh)));
  }

  /** r_k, the matrix R, b, h phi_1 and B(h) for a step from point s0 of size h. */
  private Coefficients coefficients(double[] sig, int s0, int base, double h, int order) {
    double lambdaS0 = lambda(sig[s0]);
    double[] rks = new double[order];
    for (int k = 1; k < order; k++) {
      rks[k - 1] = (lambda(sig[base - k]) - lambdaS0) / h;
    }
    rks[order - 1] = 1;
    double hh = -h;
    double hPhi1 = Math.expm1(hh);
    double hPhiK = hPhi1 / hh - 1;
    double factorial = 1;
    double bh = settings.bh2() ? Math.expm1(hh) : hh;
    double[][] r = new double[order][order];
    double[] b = new double[order];
    for (int p = 1; p <= order; p++) {
      for (int k = 0; k < order; k++) {
        r[p - 1][k] = Math.pow(rks[k], p - 1);
      }
      b[p - 1] = hPhiK * factorial / bh;
      factorial *= p + 1;
      hPhiK = hPhiK / hh - 1 / factorial;
    }
    return new Coefficients(rks, r, b, hPhi1, bh);
  }

  private record Coefficients(double[] rks, double[][] r, double[] b, double hPhi1, double bh) {}

  /** R without its last row and column (the predictor's system). */
  private static double[][] sub(double[][] r) {
    int n = r.length - 1;
    double[][] out = new double[n][n];
    for (int p = 0; p < n; p++) {
      out[p] = java.util.Arrays.copyOf(r[p], n);
    }
    return out;
  }

  /** Solves a x = b by Gaussian elimination with partial pivoting (at most 3 x 3). */
  static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][];
    double[] y = b.clone();
    for (int p = 0; p < n; p++) {
      m[p] = a[p].clone();
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
          pivot = row;
        }
      }
      double[] tr = m[col];
      m[col] = m[pivot];
      m[pivot] = tr;
      double ty = y[col];
      y[col] = y[pivot];
      y[pivot] = ty;
      for (int row = col + 1; row < n; row++) {
        double f = m[row][col] / m[col][col];
        for (int k = col; k < n; k++) {
          m[row][k] -= f * m[col][k];
        }
        y[row] -= f * y[col];
      }
    }
    double[] x = new double[n];
    for (int row = n - 1; row >= 0; row--) {
      double sum = y[row];
      for (int k = row + 1; k < n; k++) {
        sum -= m[row][k] * x[k];
      }
      x[row] = sum / m[row][row];
    }
    return x;
  }

  private static double lambda(double s) {
    return DpmSolverMultistep.lambda(s);
  }

  @Override
  public void close() {
    if (outputs != null) {
      outputs.close();
    }
    if (lastSample != null) {
      lastSample.close();
    }
  }
}
