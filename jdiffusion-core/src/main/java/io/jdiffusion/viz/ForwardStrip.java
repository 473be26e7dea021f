package io.jdiffusion.viz;

import io.jdiffusion.diffusion.ForwardProcess;
import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * One image pushed through the forward process q(x_t | x_0) (Ho et al. 2020, eq. 4) at several
 * noise levels, with one fixed noise draw eps so that the columns differ only in t:
 *
 * <pre>x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps</pre>
 *
 * <p>Timesteps here follow the paper: t = 0 is the clean image itself and t = 1..T are the noised
 * images, whose coefficients sit at index t - 1 of the 0-based {@link NoiseSchedule}.
 */
public final class ForwardStrip {
  private ForwardStrip() {}

  /** Paper timesteps 0, every, 2 every, ..., ending with T (added when T is not a multiple). */
  public static int[] timesteps(int trainSteps, int every) {
    if (every < 1 || every > trainSteps) {
      throw new IllegalArgumentException("the forward strip's interval must be between 1 and T (" + trainSteps + "), got "
          + every);
    }
    int n = trainSteps / every + 1 + (trainSteps % every == 0 ? 0 : 1);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = Math.min(i * every, trainSteps);
    }
    return t;
  }

  /**
   * The noised copies of one image.
   *
   * @param image C x H x W values in [0, 1], channel-major
   * @param paperT timesteps in [0, T], 0 = the clean image
   * @param seed seed of the single noise draw eps shared by all columns
   * @return one image per timestep, back to back, values mapped to [0, 1] and clamped
   */
  public static float[] frames(NoiseSchedule s, float[] image, int c, int h, int w, int[] paperT, long seed) {
    int per = c * h * w;
    if (image.length != per) {
      throw new IllegalArgumentException("image has " + image.length + " values, expected " + c + "x" + h + "x" + w);
    }
    float[] out = new float[paperT.length * per];
    ForwardProcess q = new ForwardProcess(s);
    try (PointerScope scope = new PointerScope()) {
      Tensor x0 = Torch.tensor(toModelRange(image), 1, c, h, w);
      Tensor eps = ImageNoise.consecutive(seed, 1).next(c, h, w);
      for (int i = 0; i < paperT.length; i++) {
        int t = paperT[i];
        if (t < 0 || t > s.steps()) {
          throw new IllegalArgumentException("timestep " + t + " is outside [0, " + s.steps() + "]");
        }
        if (t == 0) {
          System.arraycopy(image, 0, out, i * per, per);
          continue;
        }
        try (PointerScope column = new PointerScope()) {
          float[] xt = Torch.toFloats(q.qSample(x0, new int[] {t - 1}, eps));
          toUnitRange(xt, out, i * per);
        }
      }
    }
    return out;
  }

  /** [0, 1] to the model's [-1, 1]. */
  static float[] toModelRange(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * 2 - 1;
    }
    return out;
  }

  /** The model's [-1, 1] to [0, 1], clamped, into {@code out} at {@code offset}. */
  static void toUnitRange(float[] v, float[] out, int offset) {
    for (int i = 0; i < v.length; i++) {
      out[offset + i] = Math.min(1f, Math.max(0f, (v[i] + 1) / 2));
    }
  }
}
