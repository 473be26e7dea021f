package io.jdiffusion.serve;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.image.Png;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.vae.LatentDecoder;
import org.bytedeco.pytorch.Tensor;
import io.jdiffusion.sampling.StepCallback;
import java.util.function.BiConsumer;

/**
 * Pictures of a run's clean-image estimate x0 while it denoises: every {@code every}-th step (and the
 * last) of a batch, as a PNG grid of that batch, handed to a sink with the step index.
 */
final class Previews {
  /** Makes no previews. */
  static final Previews NONE = new Previews(0, null);

  private final int every;
  private final BiConsumer<Integer, byte[]> sink;

  /**
   * @param every a preview every this many steps; 0 for none
   * @param sink receives (step index, PNG bytes) on the computing thread
   */
  Previews(int every, BiConsumer<Integer, byte[]> sink) {
    this.every = every;
    this.sink = sink;
  }

  /** The step callback that makes the previews ({@link StepCallback#NONE} when none are wanted). */
  StepCallback callback() {
    return callback(null);
  }

  /**
   * The step callback of a latent model: each x0 estimate goes through {@code decoder} (a fast one:
   * TAESD) to pixels first; null for pixel models.
   */
  StepCallback callback(LatentDecoder decoder) {
    if (every <= 0) {
      return StepCallback.NONE;
    }
    return state -> {
      boolean last = state.index() == state.steps() - 1;
      if (state.x0() == null || (state.index() % every != 0 && !last)) {
        return;
      }
      try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
        Tensor x0 = decoder == null ? state.x0() : decoder.decode(decoder.unscale(state.x0()), Forward.EVAL_FP32);
        send(state.index(), x0);
      }
    };
  }

  /** x0 [B, C, H, W] in [-1, 1] as a PNG grid to the sink. */
  private void send(int step, Tensor x0) {
    long[] shape = Torch.shape(x0);
    float[] v = Torch.toFloats(x0);
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.min(1f, Math.max(0f, (v[i] + 1) / 2));
    }
    int n = (int) shape[0];
    int size = (int) shape[2];
    sink.accept(step, Png.encode(ImageGrid.toImage(v, n, (int) shape[1], size, (int) shape[3],
        (int) Math.ceil(Math.sqrt(n)), ImageGrid.DEFAULT_PADDING, ImageGrid.upscaleFor(size)), java.util.Map.of()));
  }
}
