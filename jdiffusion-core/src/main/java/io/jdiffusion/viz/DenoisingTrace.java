package io.jdiffusion.viz;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.StepCallback;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * Records a sampling run's states for reverse-process pictures, as a {@link StepCallback}: no
 * change to any sampler and no spying on the network.
 *
 * <p>State k of an N-step run is x_T for k = 0, the image after step k otherwise, and the sampler's
 * output for k = N. Each recorded state keeps x_t (the network's input at step k) and the
 * clean-image estimate x0 of that step, both as host copies in the model's range, so recording
 * holds no tensors.
 */
public final class DenoisingTrace implements StepCallback {
  private final IntPredicate keep;
  private final SortedMap<Integer, Snapshot> states = new TreeMap<>();
  private int steps;

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

  /** @param keep which state indices to record */
  public DenoisingTrace(IntPredicate keep) {
    this.keep = keep;
  }

  @Override
  public void onStep(State s) {
    steps = s.steps();
    if (keep.test(s.index())) {
      Tensor x0 = s.x0().clamp(new ScalarOptional(Torch.s(-1)), new ScalarOptional(Torch.s(1)));
      states.put(s.index(), new Snapshot(s.t(), Torch.toFloats(s.xt()), Torch.toFloats(x0)));
    }
  }

  /** Records the sampler's output as the last state N (when {@code keep} accepts N). */
  public void finish(Tensor output) {
    if (keep.test(steps)) {
      float[] x = Torch.toFloats(output);
      states.put(steps, new Snapshot(-1, x, x.clone()));
    }
  }

  /** The recorded states by index, in order. */
  public SortedMap<Integer, Snapshot> states() {
    return Collections.unmodifiableSortedMap(states);
  }
}
