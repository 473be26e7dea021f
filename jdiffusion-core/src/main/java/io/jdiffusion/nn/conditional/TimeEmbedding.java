package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Linear;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code Timesteps(dim, flip_sin_to_cos, freq_shift)} followed by {@code TimestepEmbedding}
 * (Linear-SiLU-Linear, names linear_1 and linear_2), the time input of {@code UNet2DConditionModel}:
 *
 * <pre>f_i = exp(-ln(10000) i / (d/2 - s)),  emb(t) = [sin(t f), cos(t f)]  (or [cos, sin] with flip)</pre>
 *
 * Unlike {@link io.jdiffusion.nn.TimestepEmbedding}, which computes the sinusoids in double, this
 * follows diffusers' {@code get_timestep_embedding} operation by operation in float32 (t is cast to
 * float32, the exponent, exp and the product rounded to float32 as PyTorch does): at t = 999 the
 * double-precision argument differs from diffusers' by up to 3e-5, which the float32 path removes.
 */
public final class TimeEmbedding {
  private final int dim;
  private final boolean flipSinToCos;
  private final int freqShift;
  private final Linear linear1;
  private final Linear linear2;

  /**
   * @param name prefix ("time_embedding")
   * @param dim sinusoid width (block_out_channels[0])
   * @param outDim embedding width (time_embedding_dim, default 4 x dim)
   */
  public TimeEmbedding(Params p, String name, int dim, int outDim, boolean flipSinToCos, int freqShift) {
    if (dim % 2 != 0 || freqShift < 0 || freqShift >= dim / 2) {
      throw new IllegalArgumentException("timestep sinusoids need an even width and a shift in [0, width/2), got "
          + dim + " and " + freqShift);
    }
    this.dim = dim;
    this.flipSinToCos = flipSinToCos;
    this.freqShift = freqShift;
    this.linear1 = new Linear(p, name + ".linear_1", dim, outDim);
    this.linear2 = new Linear(p, name + ".linear_2", outDim, outDim);
  }

  /** diffusers' float32 sinusoids of each timestep, [B, dim] row-major. */
  public static float[] sinusoids(double[] t, int dim, boolean flipSinToCos, int freqShift) {
    int half = dim / 2;
    float logPeriod = (float) -Math.log(10000.0);
    float[] freq = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) i * logPeriod / (float) (half - freqShift); // two float32 roundings, as torch
      freq[i] = (float) Math.exp(exponent);
    }
    int sin = flipSinToCos ? half : 0;
    int cos = flipSinToCos ? 0 : half;
    float[] out = new float[t.length * dim];
    for (int b = 0; b < t.length; b++) {
      float tb = (float) t[b];
      for (int i = 0; i < half; i++) {
        float arg = tb * freq[i];
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
