package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Params;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Layer normalisation over the last dimension (Ba et al. 2016; PyTorch's {@code nn.LayerNorm(dim, eps,
 * elementwise_affine=True)}, the norm1/norm2/norm3 of diffusers' {@code BasicTransformerBlock}):
 *
 * <pre>y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias</pre>
 *
 * The statistics are always computed in float32: in bf16 the input is widened, normalised with the
 * float32 weight and bias, and narrowed again.
 */
public final class LayerNorm {
  private final Tensor weight;
  private final Tensor bias;
  private final long dim;
  private final double eps;

  /** @param name prefix, e.g. "...transformer_blocks.0.norm1" (weight and bias [dim], PyTorch's 1 and 0) */
  public LayerNorm(Params p, String name, int dim, double eps) {
    this.weight = p.constant(name + ".weight", 1.0, dim);
    this.bias = p.constant(name + ".bias", 0.0, dim);
    this.dim = dim;
    this.eps = eps;
  }

  /** x [..., dim] -> [..., dim], in {@code f.precision()}. */
  public Tensor forward(Tensor x, Forward f) {
    long[] shape = {dim};
    if (x.scalar_type() == ScalarType.Float) {
      return torch.layer_norm(x, shape, new TensorOptional(weight), new TensorOptional(bias), eps, true);
    }
    return torch.layer_norm(x.to(ScalarType.Float), shape, new TensorOptional(weight), new TensorOptional(bias), eps,
        true).to(f.precision().dtype);
  }
}
