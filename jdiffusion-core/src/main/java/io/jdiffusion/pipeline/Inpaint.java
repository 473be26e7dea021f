package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.KnownRegion;
import io.jdiffusion.sampling.RePaint;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.util.Progress;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * Fills the masked region of one image n times; image i uses seed + i. With ddpm, RePaint ({@link
 * RePaint}: jumps back up and resamples); with any other sampler, that sampler with the known region
 * replaced after each step ({@link KnownRegion}).
 */
public final class Inpaint {
  private Inpaint() {}

  /** The RePaint schedule's network evaluations per image. */
  public static int evaluations(int steps, int jumpLength, int resamples) {
    return RePaint.evaluations(RePaint.schedule(steps, jumpLength, resamples));
  }

  /** The RePaint schedule's moves (down and back up) per image: the progress units of {@link #run}. */
  public static int moves(int steps, int jumpLength, int resamples) {
    return RePaint.schedule(steps, jumpLength, resamples).length - 1;
  }

  /** Whether these options inpaint with RePaint (ddpm) rather than with their sampler and a known region. */
  public static boolean repaint(SampleOptions o) {
    return o.sampler() == Samplers.DDPM;
  }

  /** Network evaluations per image for these options (RePaint's jumps and resamplings for ddpm). */
  public static int evaluations(SampleOptions o, int jumpLength, int resamples) {
    return repaint(o) ? evaluations(o.steps(), jumpLength, resamples) : o.evaluations();
  }

  /** The progress units of {@link #run} per image for these options. */
  public static int moves(TrainedModel m, SampleOptions o, int jumpLength, int resamples) {
    return repaint(o) ? moves(o.steps(), jumpLength, resamples)
        : o.sampler().path(m.schedule(), o.steps(), o.settings()).steps();
  }

  /**
   * @param image C x S x S values in [0, 1]
   * @param fill S x S values, 1 = fill, 0 = keep
   * @param labels class per image (conditional models), or null
   * @param o the sampler (ddpm: RePaint) and its settings, seed, batch and precision
   * @param progress advanced by one unit per image and move of the RePaint schedule
   * @return n images in [0, 1]
   */
  public static float[] run(TrainedModel m, float[] image, float[] fill, int n, int jumpLength, int resamples,
      int[] labels, double guidance, SampleOptions o, Progress progress) {
    return run(m, image, fill, n, jumpLength, resamples, labels, guidance, o, progress, StepCallback.NONE);
  }

  /**
   * {@link #run(TrainedModel, float[], float[], int, int, int, int[], double, SampleOptions, Progress)}
   * that also tells {@code onMove} about every move of every batch's RePaint schedule (after the
   * progress update; the estimate x0 is null on the moves back up): x0 previews. What it throws ends
   * the run, every tensor freed.
   */
  public static float[] run(TrainedModel m, float[] image, float[] fill, int n, int jumpLength, int resamples,
      int[] labels, double guidance, SampleOptions o, Progress progress, StepCallback onMove) {
    UNetConfig c = m.config();
    int size = c.imageSize();
    int per = c.inChannels() * size * size;
    int[] timesteps = repaint(o) ? o.spacing().select(m.schedule().steps(), o.steps()) : null;
    int moves = moves(m, o, jumpLength, resamples);
    float[] keep = new float[fill.length];
    for (int i = 0; i < fill.length; i++) {
      keep[i] = 1 - fill[i];
    }
    float[] out = new float[n * per];
    for (int start = 0; start < n; start += o.batch()) {
      int b = Math.min(o.batch(), n - start);
      long done = (long) start * moves;
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        int[] batchLabels = labels == null ? null : java.util.Arrays.copyOfRange(labels, start, start + b);
        Denoiser d = Conditioning.denoiser(m, batchLabels, guidance, o.precision());
        Tensor x0 = Torch.tensor(Generate.fromUnit(image), 1, c.inChannels(), size, size).expand(b, c.inChannels(), size, size);
        Tensor known = Torch.tensor(keep, 1, 1, size, size);
        ImageNoise noise = ImageNoise.consecutive(o.seed() + start, b);
        Tensor xT = noise.next(c.inChannels(), size, size);
        Tensor x;
        if (timesteps != null) {
          x = RePaint.inpaint(d, m.schedule(), x0, known, xT, noise, timesteps, jumpLength, resamples,
              o.variance(), o.clip(), i -> progress.update(done + (long) (i + 1) * b), onMove);
        } else {
          StepCallback tick = step -> progress.update(done + (long) (step.index() + 1) * b);
          x = SamplingLoop.run(new KnownRegion(o.sampler(), x0, known), d, m.schedule(), xT, o.steps(), o.spacing(),
              noise, o.settings(), tick.andThen(onMove));
        }
        Generate.toUnit(Torch.toFloats(x), out, start * per);
      }
    }
    return out;
  }
}
