package io.jdiffusion.train;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Exponential moving average of the weights (Polyak averaging; used for sampling by Ho et al. 2020,
 * App. B): theta_ema <- d theta_ema + (1 - d) theta, with d = min(decay, (1 + n)/(10 + n)) during
 * warm-up (diffusers' EMAModel), n the number of updates so far.
 */
public final class Ema implements AutoCloseable {
  private final UNet averaged;
  private final double decay;
  private final boolean warmup;

  /** Starts the average at the current weights of {@code model}. */
  public Ema(UNet model, double decay, boolean warmup) {
    this.averaged = new UNet(model.config());
    this.averaged.copyFrom(model);
    this.decay = decay;
    this.warmup = warmup;
  }

  /** The decay used for update number {@code n} (0-based). */
  public double decayAt(long n) {
    return warmup ? Math.min(decay, (1.0 + n) / (10.0 + n)) : decay;
  }

  /** Moves the average towards {@code model}'s weights; {@code n} = updates done before this one. */
  public void update(UNet model, long n) {
    double d = decayAt(n);
    Map<String, Tensor> src = model.parameters();
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      for (var e : averaged.parameters().entrySet()) {
        e.getValue().lerp_(src.get(e.getKey()), Torch.s(1 - d));
      }
    }
  }

  /** The averaged model (use it for sampling). */
  public UNet model() {
    return averaged;
  }

  /** Frees the averaged weights' native memory now. */
  @Override
  public void close() {
    averaged.close();
  }
}
