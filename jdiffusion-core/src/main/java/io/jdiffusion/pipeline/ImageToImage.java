package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.NoisePath;
import io.jdiffusion.sampling.SdEdit;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.util.Progress;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/** Edits one image n times with {@link SdEdit}; image i uses seed + i. */
public final class ImageToImage {
  private ImageToImage() {}

  /** The steps strength s keeps of the sampler's path: the progress units per image of {@link #run}. */
  public static int steps(TrainedModel m, SampleOptions o, double strength) {
    return SdEdit.steps(o.sampler().path(m.schedule(), o.steps(), o.settings()).steps(), strength);
  }

  /**
   * @param image C x S x S values in [0, 1]
   * @param strength in (0, 1]: how far into the noise the guide is pushed
   * @param labels class per image (conditional models), or null
   * @param o the sampler and its settings, seed, batch and precision
   * @param progress advanced by one unit per image and step
   * @return n images in [0, 1]
   */
  public static float[] run(TrainedModel m, float[] image, double strength, int n, int[] labels, double guidance,
      SampleOptions o, Progress progress) {
    return run(m, image, strength, n, labels, guidance, o, progress, StepCallback.NONE);
  }

  /**
   * {@link #run(TrainedModel, float[], double, int, int[], double, SampleOptions, Progress)} that also
   * tells {@code onStep} about every step of every batch (after the progress update): x0 previews.
   * What it throws ends the run, every tensor freed.
   */
  public static float[] run(TrainedModel m, float[] image, double strength, int n, int[] labels, double guidance,
      SampleOptions o, Progress progress, StepCallback onStep) {
    UNetConfig c = m.config();
    int size = c.imageSize();
    int per = c.inChannels() * size * size;
    NoisePath path = o.sampler().path(m.schedule(), o.steps(), o.settings());
    int taken = SdEdit.steps(path.steps(), strength);
    float[] out = new float[n * per];
    for (int start = 0; start < n; start += o.batch()) {
      int b = Math.min(o.batch(), n - start);
      long done = (long) start * taken;
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        int[] batchLabels = labels == null ? null : java.util.Arrays.copyOfRange(labels, start, start + b);
        Denoiser d = Conditioning.denoiser(m, batchLabels, guidance, o.precision());
        Tensor guide = Torch.tensor(Generate.fromUnit(image), 1, c.inChannels(), size, size).expand(b, c.inChannels(), size, size);
        ImageNoise noise = ImageNoise.consecutive(o.seed() + start, b);
        StepCallback tick = step -> progress.update(done + (long) (step.index() + 1) * b);
        Tensor x = SdEdit.edit(o.sampler(), d, m.schedule(), guide, noise, path, strength, o.settings(),
            tick.andThen(onStep));
        Generate.toUnit(Torch.toFloats(x), out, start * per);
      }
    }
    return out;
  }
}
