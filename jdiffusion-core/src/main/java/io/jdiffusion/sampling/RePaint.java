package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Inpainting by RePaint (Lugmayr et al. 2022, Algorithm 1): an unconditional model fills the unknown
 * region while the known region is replaced, at every step, by the original noised to the same level.
 * From t to the previous visited step p, with m = 1 on known pixels:
 *
 * <pre>x_p^known   = sqrt(alphaBar_p) x0 + sqrt(1 - alphaBar_p) z          (eq. 8; x0 itself at the end)
 * x_p^unknown = the DDPM step from x_t                                  (eq. 9; {@link Ddpm#step})
 * x_p         = m x_p^known + (1 - m) x_p^unknown                        (eq. 10)</pre>
 *
 * Resampling (Sec. 4.2): at every jumpLength-th step the chain jumps back up jumpLength steps with
 * the forward process, x_t' ~ N(sqrt(alphaBar_t'/alphaBar_t) x_t, (1 - alphaBar_t'/alphaBar_t) I),
 * and denoises again, resamples - 1 times, which harmonizes the filled region with the known one.
 */
public final class RePaint {
  /** The most network evaluations per image a RePaint schedule may take (the paper's 250, 10, 10: 2410). */
  public static final long MAX_EVALUATIONS = 1_000_000;

  private RePaint() {}

  /**
   * Network evaluations per image of {@link #schedule}, computed without building it: N, plus
   * jumpLength for each of the resamples - 1 returns at each jump index.
   */
  public static long evaluations(long steps, long jumpLength, long resamples) {
    long jumps = steps > jumpLength ? (steps - jumpLength + jumpLength - 1) / jumpLength : 0;
    double n = steps + (double) jumps * (resamples - 1) * jumpLength;
    return n > Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : (long) n;
  }

  /**
   * The order in which the N visited steps are taken, as step indices from N-1 down to -1 (the clean
   * image), going back up {@code jumpLength} indices {@code resamples - 1} times at indices 0,
   * jumpLength, 2 jumpLength, ... below N - jumpLength (the authors' {@code get_schedule_jump}).
   */
  public static int[] schedule(int steps, int jumpLength, int resamples) {
    if (steps < 1 || jumpLength < 1 || resamples < 1 || steps > 100_000 || jumpLength > 100_000
        || resamples > 100_000) {
      throw new IllegalArgumentException("RePaint needs steps, jump length and resamples between 1 and 100000, got "
          + steps + ", " + jumpLength + ", " + resamples);
    }
    long evaluations = evaluations(steps, jumpLength, resamples);
    if (evaluations > MAX_EVALUATIONS) {
      throw new IllegalArgumentException("RePaint with " + steps + " steps, jump length " + jumpLength + " and "
          + resamples + " resamples takes " + evaluations + " network evaluations per image, more than "
          + MAX_EVALUATIONS);
    }
    int[] jumpsLeft = new int[steps];
    for (int j = 0; j < steps - jumpLength; j += jumpLength) {
      jumpsLeft[j] = resamples - 1;
    }
    List<Integer> order = new ArrayList<>();
    int t = steps;
    while (t >= 1) {
      t--;
      order.add(t);
      if (jumpsLeft[t] > 0) {
        jumpsLeft[t]--;
        for (int k = 0; k < jumpLength; k++) {
          order.add(++t);
        }
      }
    }
    order.add(-1);
    return order.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Network evaluations of a {@link #schedule}: its downward moves. */
  public static int evaluations(int[] schedule) {
    int n = 0;
    for (int i = 0; i + 1 < schedule.length; i++) {
      n += schedule[i + 1] < schedule[i] ? 1 : 0;
    }
    return n;
  }

  /**
   * Fills the unknown region of {@code x0}.
   *
   * @param x0 the known images [B, C, H, W] in [-1, 1] (values under the unknown region are ignored)
   * @param known 1 on known pixels, 0 on those to fill, [B or 1, 1, H, W]
   * @param xT the starting noise [B, C, H, W]
   * @param timesteps the N visited timesteps, descending ({@link Timesteps})
   * @param onStep called with the index of each finished move of the schedule
   */
  public static Tensor inpaint(Denoiser d, NoiseSchedule s, Tensor x0, Tensor known, Tensor xT, ImageNoise noise,
      int[] timesteps, int jumpLength, int resamples, Ddpm.Variance variance, boolean clip, IntConsumer onStep) {
    return inpaint(d, s, x0, known, xT, noise, timesteps, jumpLength, resamples, variance, clip, onStep,
        StepCallback.NONE);
  }

  /**
   * {@link #inpaint(Denoiser, NoiseSchedule, Tensor, Tensor, Tensor, ImageNoise, int[], int, int,
   * Ddpm.Variance, boolean, IntConsumer)} that also tells {@code onMove} about every move of the
   * schedule after {@code onStep}: its index, the number of moves, the timestep and sigma x was at,
   * x, and the network's clean-image estimate on the way down (null on the way back up, which
   * evaluates nothing). The tensors belong to the move's scope.
   */
  public static Tensor inpaint(Denoiser d, NoiseSchedule s, Tensor x0, Tensor known, Tensor xT, ImageNoise noise,
      int[] timesteps, int jumpLength, int resamples, Ddpm.Variance variance, boolean clip, IntConsumer onStep,
      StepCallback onMove) {
    int n = timesteps.length;
    int[] order = schedule(n, jumpLength, resamples);
    long[] shape = Torch.shape(xT);
    try (Carry x = new Carry(xT)) {
      for (int i = 0; i + 1 < order.length; i++) {
        int t = timestep(timesteps, order[i]);
        int next = timestep(timesteps, order[i + 1]);
        try (PointerScope step = new PointerScope()) {
          Tensor xt = x.get();
          step.attach(xt); // held for onMove after x moves on
          Tensor estimate = null;
          if (order[i + 1] < order[i]) {
            Estimate e = Estimate.at(d, s, x.get(), t, clip);
            estimate = e.x0();
            Tensor unknown = Ddpm.step(s, x.get(), e, t, next, variance,
                () -> noise.next(shape[1], shape[2], shape[3]));
            Tensor knownPart = x0;
            if (next >= 0) {
              knownPart = x0.mul(Torch.s(s.sqrtAlphaBar(next)))
                  .add(noise.next(shape[1], shape[2], shape[3]).mul(Torch.s(s.sqrtOneMinusAlphaBar(next))));
            }
            x.set(unknown.add(known.mul(knownPart.sub(unknown))));
          } else {
            double ratio = s.alphaBar(next) / s.alphaBar(t);
            x.set(x.get().mul(Torch.s(Math.sqrt(ratio)))
                .add(noise.next(shape[1], shape[2], shape[3]).mul(Torch.s(Math.sqrt(1 - ratio)))));
          }
          onStep.accept(i);
          onMove.onStep(new StepCallback.State(i, order.length - 1, t, s.sigma(t), xt, estimate));
        }
      }
      return x.release();
    }
  }

  /** The training timestep of step index k (k = N-1 is the first visited, -1 the clean image). */
  private static int timestep(int[] descending, int k) {
    return k < 0 ? -1 : descending[descending.length - 1 - k];
  }
}
