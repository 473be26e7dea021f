package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.util.Progress;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/** Generates images from a trained model: batches, per-image seeds, sampler dispatch. */
public final class Generate {
  private Generate() {}

  /** {@link #images(TrainedModel, int, int[], double, SampleOptions, Progress)} without guidance (w = 1). */
  public static float[] images(TrainedModel model, int n, int[] labels, SampleOptions o, Progress progress) {
    return images(model, n, labels, 1.0, o, progress);
  }

  /**
   * Samples {@code n} images.
   *
   * @param labels class per image for conditional models, numClasses meaning "no label"; null means no
   *     label for every image (the unconditional model; {@link Conditioning#inTurn} gives 0, 1, 2, ...)
   * @param guidance classifier-free guidance weight (1 = plain conditional; conditional models only)
   * @param progress advanced by one unit per image and step, or null
   * @return n images, [n, C, H, W] flattened, values in [0, 1]
   */
  public static float[] images(TrainedModel model, int n, int[] labels, double guidance, SampleOptions o,
      Progress progress) {
    return images(model, n, labels, guidance, o, progress, StepCallback.NONE);
  }

  /**
   * {@link #images(TrainedModel, int, int[], double, SampleOptions, Progress)} that also tells
   * {@code onStep} about every step of every batch (after the progress update): x0 previews. What
   * it throws ends the run, every tensor freed.
   *
   * @param onStep told about each step; the state's tensors are the current batch's
   */
  public static float[] images(TrainedModel model, int n, int[] labels, double guidance, SampleOptions o,
      Progress progress, StepCallback onStep) {
    UNetConfig c = model.config();
    if (c.numClasses() > 0 && labels == null) {
      labels = Conditioning.unconditional(model, n); // "no label": the model's unconditional branch
    }
    Conditioning.checkGuidance(model, guidance);
    o.checkAgainst(model.schedule());
    int per = c.inChannels() * c.imageSize() * c.imageSize();
    float[] out = new float[n * per];
    NoiseSchedule s = model.schedule();
    for (int start = 0; start < n; start += o.batch()) {
      int b = Math.min(o.batch(), n - start);
      int[] batchLabels = labels == null ? null : Arrays.copyOfRange(labels, start, start + b);
      long done = (long) start * o.steps();
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        Denoiser d = Conditioning.denoiser(model, batchLabels, guidance, o.precision());
        ImageNoise noise = ImageNoise.consecutive(o.seed() + start, b);
        Tensor xT = noise.next(c.inChannels(), c.imageSize(), c.imageSize());
        StepCallback tick = progress == null ? onStep
            : step -> progress.update(done + step.done((long) o.steps()) * b);
        if (progress != null && onStep != StepCallback.NONE) {
          tick = tick.andThen(onStep);
        }
        Tensor x = SamplingLoop.run(o.sampler(), d, s, xT, o.steps(), o.spacing(), noise, o.settings(), tick);
        toUnit(Torch.toFloats(x), out, start * per);
      }
    }
    return out;
  }

  /** Maps values in [-1, 1] to [0, 1] (clamped) into {@code out} at {@code offset}. */
  static void toUnit(float[] v, float[] out, int offset) {
    for (int i = 0; i < v.length; i++) {
      out[offset + i] = Math.min(1f, Math.max(0f, (v[i] + 1) / 2));
    }
  }

  /** Maps values in [0, 1] to [-1, 1]. */
  static float[] fromUnit(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * 2 - 1;
    }
    return out;
  }
}
