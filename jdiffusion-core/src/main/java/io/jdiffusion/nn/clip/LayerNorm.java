package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Params;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Layer normalisation over the last dimension (Ba et al. 2016; torch's {@code nn.LayerNorm}, which
 * transformers' CLIP uses as layer_norm1, layer_norm2 and final_layer_norm):
 *
 * <pre>y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias</pre>
 *
 * with the biased variance. Always computed in float32 (the statistics need the range); the result is
 * in float32, for the caller to cast.
 */
public final class LayerNorm {
  private final Tensor weight;
  private final Tensor bias;
  private final long width;
  private final double eps;

  /** Parameters {@code name.weight} (ones) and {@code name.bias} (zeros), as torch initialises them. */
  public LayerNorm(Params params, String name, int width, double eps) {
    this.weight = params.constant(name + ".weight", 1.0, width);
    this.bias = params.constant(name + ".bias", 0.0, width);
    this.width = width;
    this.eps = eps;
  }

  /** x [..., width] (any float dtype) -> float32 [..., width]. */
  public Tensor forward(Tensor x) {
    Tensor in = x.scalar_type() == ScalarType.Float ? x : x.to(ScalarType.Float);
    return torch.layer_norm(in, new long[] {width}, new TensorOptional(weight), new TensorOptional(bias), eps, false);
  }
}
