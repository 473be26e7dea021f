package io.jdiffusion.viz;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link Denoiser} that passes every call through and records the sampler's states on the way:
 * the observer hook for reverse-process pictures, with no change to any sampler.
 *
 * <p>State k of an N-step run is x_T for k = 0, the image after step k otherwise, and the sampler's
 * output for k = N. Every sampler evaluates the network at its current state first in each step
 * (Heun's second evaluation comes after), so the first call after {@link #stepDone}(k - 1) sees
 * state k; pass {@link #stepDone} as (part of) the sampler's {@code onStep} and give the output to
 * {@link #finish}. Each recorded state keeps x_t and the clean-image estimate x0 implied by the
 * network output (Ho et al. eq. 15 for eps, via {@link Prediction#toX0}), both as host copies in
 * the model's range, so recording holds no tensors.
 */
public final class DenoisingTrace implements Denoiser {
  private final Denoiser inner;
  private final NoiseSchedule schedule;
  private final IntPredicate keep;
  private final SortedMap<Integer, Snapshot> states = new TreeMap<>();
  private int state;
  private boolean armed = true;

  /**
   * One recorded state.
   *
   * @param t the 0-based (possibly fractional) timestep the network saw, or -1 for the final output
   * @param xt the batch at this state, [B, C, H, W] flattened, model range
   * @param x0 the clean-image estimate at this state (the output itself for the final state), clamped to [-1, 1]
   */
  public record Snapshot(double t, float[] xt, float[] x0) {
    /** The paper's 1-based timestep t + 1, rounded; 0 for the final, clean state. */
    public int paperT() {
      return t < 0 ? 0 : (int) Math.round(t) + 1;
    }
  }

  /**
   * @param inner the denoiser the sampler would otherwise call
   * @param keep which state indices to record (others pass through untouched)
   */
  public DenoisingTrace(Denoiser inner, NoiseSchedule schedule, IntPredicate keep) {
    this.inner = inner;
    this.schedule = schedule;
    this.keep = keep;
  }

  @Override
  public Prediction prediction() {
    return inner.prediction();
  }

  @Override
  public Tensor output(Tensor xt, double t) {
    Tensor out = inner.output(xt, t);
    if (armed) {
      armed = false;
      if (keep.test(state)) {
        double alphaBar = schedule.alphaBarAt(t);
        Tensor a = Torch.scalar(Math.sqrt(alphaBar));
        Tensor b = Torch.scalar(Math.sqrt(1 - alphaBar));
        Tensor x0 = inner.prediction().toX0(xt, out, a, b)
            .clamp(new ScalarOptional(Torch.s(-1)), new ScalarOptional(Torch.s(1)));
        states.put(state, new Snapshot(t, Torch.toFloats(xt), Torch.toFloats(x0)));
      }
    }
    return out;
  }

  /** Marks step {@code index} (0-based) as finished: the next network call sees state index + 1. */
  public void stepDone(int index) {
    state = index + 1;
    armed = true;
  }

  /** Records the sampler's output as the last state (recorded when {@code keep} accepts its index). */
  public void finish(Tensor output) {
    if (keep.test(state)) {
      float[] x = Torch.toFloats(output);
      states.put(state, new Snapshot(-1, x, x.clone()));
    }
  }

  /** The recorded states by index, in order. */
  public SortedMap<Integer, Snapshot> states() {
    return Collections.unmodifiableSortedMap(states);
  }
}
