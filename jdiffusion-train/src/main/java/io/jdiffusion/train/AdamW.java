package io.jdiffusion.train;

import io.jdiffusion.nn.Torch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, Algorithm 2), step for step as PyTorch's single-tensor
 * implementation, so its state can be saved and compared:
 *
 * <pre>p <- p (1 - lr wd)
 * m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
 * p <- p - lr/(1 - beta1^k) m / (sqrt(v)/sqrt(1 - beta2^k) + eps)</pre>
 *
 * Moments live outside every scope, owned by this object.
 */
public final class AdamW implements AutoCloseable {
  private final Map<String, Tensor> params;
  private final Map<String, Tensor> expAvg = new LinkedHashMap<>();
  private final Map<String, Tensor> expAvgSq = new LinkedHashMap<>();
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private long k;

  public AdamW(Map<String, Tensor> params, double beta1, double beta2, double eps, double weightDecay) {
    this.params = params;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    for (var e : params.entrySet()) {
      expAvg.put(e.getKey(), owned(torch.zeros_like(e.getValue())));
      expAvgSq.put(e.getKey(), owned(torch.zeros_like(e.getValue())));
    }
  }

  /** Frees the moment estimates' native memory now (the parameters belong to their model). */
  @Override
  public void close() {
    for (Map<String, Tensor> m : List.of(expAvg, expAvgSq)) {
      m.values().forEach(Tensor::deallocate);
      m.clear();
    }
  }

  private static Tensor owned(Tensor t) {
    t.retainReference();
    return t;
  }

  /** Applies one update with learning rate {@code lr} from the gradients, then clears them. */
  public void step(double lr) {
    k++;
    double bc1 = 1 - Math.pow(beta1, k);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, k));
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      for (var e : params.entrySet()) {
        Tensor p = e.getValue();
        Tensor g = p.grad();
        if (!g.defined()) {
          continue;
        }
        Tensor m = expAvg.get(e.getKey());
        Tensor v = expAvgSq.get(e.getKey());
        if (weightDecay != 0) {
          p.mul_(Torch.s(1 - lr * weightDecay));
        }
        m.lerp_(g, Torch.s(1 - beta1));
        v.mul_(Torch.s(beta2)).addcmul_(g, g, Torch.s(1 - beta2));
        Tensor denom = v.sqrt().div_(Torch.s(bc2Sqrt)).add_(Torch.s(eps));
        p.addcdiv_(m, denom, Torch.s(-lr / bc1));
      }
    }
    zeroGrad();
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  public void zeroGrad() {
    try (PointerScope scope = new PointerScope()) {
      for (Tensor p : params.values()) {
        p.mutable_grad().reset();
      }
    }
  }

  /** Number of steps taken (the k in the bias corrections). */
  public long stepCount() {
    return k;
  }

  /** State tensors by name: "exp_avg.NAME" and "exp_avg_sq.NAME". */
  public Map<String, Tensor> state() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    expAvg.forEach((n, t) -> s.put("exp_avg." + n, t));
    expAvgSq.forEach((n, t) -> s.put("exp_avg_sq." + n, t));
    return s;
  }

  /** Restores the step count (the state tensors are restored in place through {@link #state()}). */
  public void setStepCount(long k) {
    this.k = k;
  }

  /** Parameters as a list, for clip_grad_norm_. */
  public List<Tensor> parameters() {
    return new ArrayList<>(params.values());
  }
}
