package io.jdiffusion.pipeline;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.Ddim;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.sampling.UNetDenoiser;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.util.Progress;
import io.jdiffusion.nn.UNetConfig;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/** Generates images from a trained model: batches, per-image seeds, sampler dispatch. */
public final class Generate {
  private Generate() {}

  /**
   * Samples {@code n} images.
   *
   * @param labels class per image for conditional models (null otherwise)
   * @return n images, [n, C, H, W] flattened, values in [0, 1]
   */
  public static float[] images(TrainedModel model, int n, int[] labels, SampleOptions o, Progress progress) {
    UNetConfig c = model.config();
    if (c.numClasses() > 0 && labels == null) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = i % c.numClasses();
      }
    }
    int per = c.inChannels() * c.imageSize() * c.imageSize();
    float[] out = new float[n * per];
    NoiseSchedule s = model.schedule();
    int[] timesteps = Timesteps.parse(o.spacing()).select(s.steps(), o.steps());
    for (int start = 0; start < n; start += o.batch()) {
      int b = Math.min(o.batch(), n - start);
      int[] batchLabels = null;
      if (labels != null) {
        batchLabels = java.util.Arrays.copyOfRange(labels, start, start + b);
      }
      int done = start;
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        Denoiser d = new UNetDenoiser(model.net(), model.prediction(), batchLabels, Precision.parse(o.precision()));
        ImageNoise noise = ImageNoise.consecutive(o.seed() + start, b);
        Tensor xT = noise.next(c.inChannels(), c.imageSize(), c.imageSize());
        Tensor x = o.sampler().equals("ddpm")
            ? Ddpm.sample(d, s, xT, noise, timesteps, Ddpm.Variance.parse(o.variance()), o.clip(),
                i -> progress.update((long) done * timesteps.length + (long) (i + 1) * b))
            : Ddim.sample(d, s, xT, noise, timesteps, o.eta(), o.clip(),
                i -> progress.update((long) done * timesteps.length + (long) (i + 1) * b));
        float[] v = Torch.toFloats(x);
        for (int i = 0; i < v.length; i++) {
          out[start * per + i] = Math.min(1f, Math.max(0f, (v[i] + 1) / 2));
        }
      }
    }
    return out;
  }
}
