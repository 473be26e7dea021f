package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Inpainting with any sampler: after each of the sampler's steps the known region is replaced by the
 * original image noised to the point the step reached (Lugmayr et al. 2022's RePaint without
 * resampling; diffusers' StableDiffusionInpaintPipeline does the same for models without mask
 * channels):
 *
 * <pre>x_{i+1} = m x0_known(i+1) + (1 - m) step(x_i),   x0_known(i+1) = a x0 + b z  (VP: a = sqrt(alphaBar),
 *                                                      b = sqrt(1 - alphaBar); VE: a = 1, b = sigma)</pre>
 *
 * with m = 1 where the image is known and fresh noise z; the last step keeps x0 itself there. The
 * wrapped sampler's path, state and settings are its own.
 */
public final class KnownRegion implements Sampler {
  private final Sampler inner;
  private final Tensor x0;
  private final Tensor known;
  private final Tensor unknown;
  private final Tensor fixedNoise; // null: a fresh draw each step

  /**
   * @param x0 the image [B, C, H, W] in [-1, 1]
   * @param known 1 where the image is kept, 0 where it is filled, broadcastable to x0
   */
  public KnownRegion(Sampler inner, Tensor x0, Tensor known) {
    this(inner, x0, known, known.neg().add(Torch.s(1)), null);
  }

  /**
   * diffusers' StableDiffusionInpaintPipeline for U-Nets without mask channels: the known region is
   * noised with the same {@code noise} at every step (the draw that started the run), and the last
   * step keeps x0 itself there whatever the path's last noise level.
   */
  public static KnownRegion withFixedNoise(Sampler inner, Tensor x0, Tensor known, Tensor noise) {
    return new KnownRegion(inner, x0, known, known.neg().add(Torch.s(1)), noise);
  }

  private KnownRegion(Sampler inner, Tensor x0, Tensor known, Tensor unknown, Tensor fixedNoise) {
    this.inner = inner;
    this.x0 = x0;
    this.known = known;
    this.unknown = unknown;
    this.fixedNoise = fixedNoise;
  }

  @Override
  public Traits traits() {
    return inner.traits();
  }

  @Override
  public boolean usesSpacing() {
    return inner.usesSpacing();
  }

  @Override
  public int evaluations(int steps) {
    return inner.evaluations(steps);
  }

  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    return inner.path(s, steps, run);
  }

  @Override
  public Tensor start(Tensor xT, NoisePath path, SamplerSettings run) {
    return inner.start(xT, path, run);
  }

  @Override
  public Sampler newRun() {
    return new KnownRegion(inner.newRun(), x0, known, unknown, fixedNoise);
  }

  @Override
  public Tensor step(Step step) {
    Tensor next = inner.step(step);
    double sigma = step.nextSigma();
    Tensor kept;
    if (step.last() && (sigma == 0 || fixedNoise != null)) {
      kept = x0;
    } else {
      Tensor z = fixedNoise != null ? fixedNoise : step.z();
      if (grid() == Grid.SIGMAS) {
        kept = x0.add(z.mul(Torch.s(sigma)));
      } else {
        double a = 1 / Math.sqrt(1 + sigma * sigma);
        kept = x0.mul(Torch.s(a)).add(z.mul(Torch.s(sigma * a)));
      }
    }
    return kept.mul(known).add(next.mul(unknown));
  }

  @Override
  public void close() {
    inner.close();
  }
}
