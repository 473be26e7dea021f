package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Sinusoidal embedding of the timestep (Vaswani et al. 2017, Sec. 3.5; Ho et al. 2020's
 * {@code get_timestep_embedding}) followed by Linear-SiLU-Linear:
 *
 * <pre>emb_i(t) = sin(t * 10000^(-i/(d/2-1))), emb_{d/2+i}(t) = cos(...) for i in [0, d/2)</pre>
 */
public final class TimestepEmbedding {
  private final int dim;
  private final Linear linear1;
  private final Linear linear2;

  /**
   * @param dim sinusoid width (the U-Net's base channels)
   * @param outDim width of the embedding handed to every ResBlock
   */
  public TimestepEmbedding(Params params, String name, int dim, int outDim) {
    if (dim % 2 != 0 || dim < 4) {
      throw new IllegalArgumentException("timestep embedding width must be even and >= 4, got " + dim);
    }
    this.dim = dim;
    this.linear1 = new Linear(params, name + ".linear_1", dim, outDim);
    this.linear2 = new Linear(params, name + ".linear_2", outDim, outDim);
  }

  /** The sinusoids for each image's timestep, [B, dim], computed in double on the host. */
  public static float[] sinusoids(double[] t, int dim) {
    int half = dim / 2;
    double scale = Math.log(10000.0) / (half - 1);
    float[] out = new float[t.length * dim];
    for (int b = 0; b < t.length; b++) {
      for (int i = 0; i < half; i++) {
        double arg = t[b] * Math.exp(-scale * i);
        out[b * dim + i] = (float) Math.sin(arg);
        out[b * dim + half + i] = (float) Math.cos(arg);
      }
    }
    return out;
  }

  /** [B] timesteps -> [B, outDim] embedding, in {@code f.precision()}. */
  public Tensor forward(double[] t, Forward f) {
    return Torch.scoped(() -> {
      Tensor x = Torch.tensor(sinusoids(t, dim), t.length, dim).to(f.precision().dtype);
      return linear2.forward(torch.silu(linear1.forward(x, f)), f);
    });
  }
}
