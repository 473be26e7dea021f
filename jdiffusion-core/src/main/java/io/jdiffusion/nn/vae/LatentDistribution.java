package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Torch;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The encoder's posterior q(z | x) = N(mean, diag(exp(logvar))), diffusers'
 * {@code DiagonalGaussianDistribution} (autoencoders/vae.py): the moments are split in two along the
 * channels and logvar is clamped to [-30, 20] before std = exp(logvar / 2) is taken. Float32 tensors
 * that live in the scope that was current when {@link AutoencoderKL#encode} was called.
 */
public final class LatentDistribution {
  /** diffusers' clamp of logvar. */
  static final double LOGVAR_MIN = -30.0;
  static final double LOGVAR_MAX = 20.0;

  private final Tensor mean;
  private final Tensor logvar;
  private final Tensor std;

  /** From the encoder's moments [B, 2 C, h, w]: mean = first C channels, logvar = the rest, clamped. */
  LatentDistribution(Tensor moments) {
    long c = moments.size(1) / 2;
    this.mean = moments.narrow(1, 0, c).contiguous();
    this.logvar = torch.clamp(moments.narrow(1, c, c), new org.bytedeco.pytorch.ScalarOptional(Torch.s(LOGVAR_MIN)),
        new org.bytedeco.pytorch.ScalarOptional(Torch.s(LOGVAR_MAX)));
    this.std = torch.exp(logvar.mul(Torch.s(0.5)));
  }

  /** Moves the three tensors to {@code outer} (or to the garbage collector without one); returns this. */
  LatentDistribution keepIn(org.bytedeco.javacpp.PointerScope outer) {
    for (Tensor t : new Tensor[] {mean, logvar, std}) {
      if (outer != null) {
        outer.attach(t);
      } else {
        t.retainReference();
      }
    }
    return this;
  }

  /** The mean, [B, C, h, w]. */
  public Tensor mean() {
    return mean;
  }

  /** log sigma^2 after the clamp, [B, C, h, w]. */
  public Tensor logvar() {
    return logvar;
  }

  /** sigma = exp(logvar / 2), [B, C, h, w]. */
  public Tensor std() {
    return std;
  }

  /** The most likely latent, the mean (diffusers' {@code mode()}; what img2img uses with "argmax"). */
  public Tensor mode() {
    return mean;
  }

  /**
   * A draw z = mean + std * noise (diffusers' {@code sample(generator)}), with the standard-normal
   * {@code noise} supplied by the caller so that a pipeline can use its own seeded generator.
   *
   * @param noise [B, C, h, w], the shape of the mean
   */
  public Tensor sample(Tensor noise) {
    if (!Arrays.equals(Torch.shape(noise), Torch.shape(mean))) {
      throw new IllegalArgumentException("noise has shape " + Arrays.toString(Torch.shape(noise))
          + ", the latent distribution " + Arrays.toString(Torch.shape(mean)));
    }
    return mean.add(std.mul(noise.to(mean.scalar_type())));
  }
}
