package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Sinusoidal embedding of the timestep (Vaswani et al. 2017, Sec. 3.5; Ho et al. 2020's
 * {@code get_timestep_embedding}) followed by Linear-SiLU-Linear:
 *
 * <pre>emb_i(t) = sin(t * 10000^(-i/(d/2-s))), emb_{d/2+i}(t) = cos(...) for i in [0, d/2)</pre>
 *
 * with frequency shift s = 1 (DDPM; diffusers' freq_shift) and sin first (flip_sin_to_cos false), the
 * defaults; diffusers' {@code Timesteps} and {@code TimestepEmbedding}.
 */
public final class TimestepEmbedding {
  private final int dim;
  private final boolean flipSinToCos;
  private final int freqShift;
  private final Linear linear1;
  private final Linear linear2;

  /**
   * @param dim sinusoid width (the U-Net's base channels)
   * @param outDim width of the embedding handed to every ResBlock
   */
  public TimestepEmbedding(Params params, String name, int dim, int outDim) {
    this(params, name, dim, outDim, false, 1);
  }

  /**
   * @param flipSinToCos cos first, then sin (diffusers' flip_sin_to_cos)
   * @param freqShift s in the exponent's denominator d/2 - s (diffusers' freq_shift)
   */
  public TimestepEmbedding(Params params, String name, int dim, int outDim, boolean flipSinToCos, int freqShift) {
    if (dim % 2 != 0 || dim < 4) {
      throw new IllegalArgumentException("timestep embedding width must be even and >= 4, got " + dim);
    }
    if (freqShift < 0 || freqShift >= dim / 2) {
      throw new IllegalArgumentException("frequency shift must be in [0, " + dim / 2 + "), got " + freqShift);
    }
    this.dim = dim;
    this.flipSinToCos = flipSinToCos;
    this.freqShift = freqShift;
    this.linear1 = new Linear(params, name + ".linear_1", dim, outDim);
    this.linear2 = new Linear(params, name + ".linear_2", outDim, outDim);
  }

  /** The DDPM sinusoids for each image's timestep, [B, dim], computed in double on the host. */
  public static float[] sinusoids(double[] t, int dim) {
    return sinusoids(t, dim, false, 1);
  }

  /** The sinusoids with diffusers' flip_sin_to_cos and freq_shift, [B, dim], computed in double on the host. */
  public static float[] sinusoids(double[] t, int dim, boolean flipSinToCos, int freqShift) {
    int half = dim / 2;
    double scale = Math.log(10000.0) / (half - freqShift);
    int sin = flipSinToCos ? half : 0;
    int cos = flipSinToCos ? 0 : half;
    float[] out = new float[t.length * dim];
    for (int b = 0; b < t.length; b++) {
      for (int i = 0; i < half; i++) {
        double arg = t[b] * Math.exp(-scale * i);
        out[b * dim + sin + i] = (float) Math.sin(arg);
        out[b * dim + cos + i] = (float) Math.cos(arg);
      }
    }
    return out;
  }

  /** [B] timesteps -> [B, outDim] embedding, in {@code f.precision()}. */
  public Tensor forward(double[] t, Forward f) {
    return Torch.scoped(() -> {
      Tensor x = Torch.tensor(sinusoids(t, dim, flipSinToCos, freqShift), t.length, dim).to(f.precision().dtype);
      return linear2.forward(torch.silu(linear1.forward(x, f)), f);
    });
  }
}
