package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.NoisePath;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.DdimInversion;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.Slerp;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.util.Progress;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * Interpolates between two images through the DDIM latent space (Song et al. 2021, Sec. 5.3): both
 * are inverted with {@link DdimInversion}, their latents joined by {@link Slerp}, and every point of
 * the path decoded over the same timesteps with a deterministic sampler: DDIM with eta 0 by default, or
 * any ODE sampler that can walk a given path (dpm++2m, dpm++3m, unipc, euler, heun, lms and their Karras
 * names walk these timesteps here).
 */
public final class Interpolate {
  private Interpolate() {}

  /**
   * The decoded path.
   *
   * @param frames decoded images [frames, C, H, W] in [0, 1]; the first and last reconstruct a and b
   * @param reconstructionError mean absolute difference (in [0, 1] units) between the end frames and
   *     the inputs: how faithfully the inversion round-trips with this model and step count
   */
  public record Result(float[] frames, double reconstructionError) {}

  /**
   * @param a first image, C x S x S values in [0, 1]
   * @param b second image, same shape
   * @param count number of frames (&gt;= 2), at slerp positions 0, 1/(count-1), ..., 1
   * @param label class for conditional models (numClasses = no label), ignored otherwise
   * @param o uses steps, spacing, clip (decoding only), batch and precision
   * @param progress advanced by one unit per image and step (inversion of 2 images, then decoding)
   */
  public static Result run(TrainedModel m, float[] a, float[] b, int count, int label, SampleOptions o,
      Progress progress) {
    return run(m, a, b, count, label, o, progress, StepCallback.NONE);
  }

  /**
   * {@link #run(TrainedModel, float[], float[], int, int, SampleOptions, Progress)} that also tells
   * {@code onStep} about every decoding step of every batch of frames (after the progress update; the
   * inversion is not shown): x0 previews. What it throws ends the run, every tensor freed.
   */
  public static Result run(TrainedModel m, float[] a, float[] b, int count, int label, SampleOptions o,
      Progress progress, StepCallback onStep) {
    if (count < 2) {
      throw new IllegalArgumentException("need at least 2 frames, got " + count);
    }
    checkDecoder(o);
    UNetConfig c = m.config();
    int size = c.imageSize();
    int per = c.inChannels() * size * size;
    int[] timesteps = o.spacing().select(m.schedule().steps(), o.steps());
    Precision precision = o.precision();
    boolean conditional = c.numClasses() > 0;
    float[] out = new float[count * per];
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      float[] both = new float[2 * per];
      System.arraycopy(Generate.fromUnit(a), 0, both, 0, per);
      System.arraycopy(Generate.fromUnit(b), 0, both, per, per);
      Denoiser pair = Conditioning.denoiser(m, conditional ? Conditioning.repeat(label, 2) : null, 1, precision);
      Tensor latents = DdimInversion.invert(pair, m.schedule(), Torch.tensor(both, 2, c.inChannels(), size, size),
          timesteps, i -> progress.update((long) (i + 1) * 2));
      Tensor za = latents.narrow(0, 0, 1);
      Tensor zb = latents.narrow(0, 1, 1);
      long inverted = 2L * timesteps.length;
      for (int start = 0; start < count; start += o.batch()) {
        int n = Math.min(o.batch(), count - start);
        long done = inverted + (long) start * timesteps.length;
        try (PointerScope batch = new PointerScope()) {
          Tensor[] points = new Tensor[n];
          for (int k = 0; k < n; k++) {
            points[k] = Slerp.slerp(za, zb, (double) (start + k) / (count - 1));
          }
          Denoiser d = Conditioning.denoiser(m, conditional ? Conditioning.repeat(label, n) : null, 1, precision);
          StepCallback tick = step -> progress.update(done + (long) (step.index() + 1) * n);
          Tensor x = SamplingLoop.run(o.sampler(), d, m.schedule(), Torch.cat(0, points),
              NoisePath.timesteps(m.schedule(), timesteps), null, o.settings(), tick.andThen(onStep));
          Generate.toUnit(Torch.toFloats(x), out, start * per);
        }
      }
    }
    double error = 0;
    for (int i = 0; i < per; i++) {
      error += Math.abs(out[i] - a[i]) + Math.abs(out[(count - 1) * per + i] - b[i]);
    }
    return new Result(out, error / (2 * per));
  }

  /**
   * Refuses a decoder that draws fresh noise (the path would not be a function of the latents) or that
   * cannot start from given timesteps (pndm's warm-up, lcm's own schedule).
   */
  public static void checkDecoder(SampleOptions o) {
    Sampler s = o.sampler();
    if (!s.deterministic(o.eta()) || s instanceof io.jdiffusion.sampling.Pndm || s instanceof io.jdiffusion.sampling.Lcm) {
      throw new IllegalArgumentException("interpolate decodes with a deterministic sampler that can walk the "
          + "inverted timesteps (ddim with eta 0, dpm++2m, dpm++3m, unipc, euler, heun, lms and their -karras names), not "
          + s.name() + (s.usesEta() ? " with eta " + o.eta() : ""));
    }
  }
}
