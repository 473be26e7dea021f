package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Layer normalisation over the last dimension (Ba et al. 2016; PyTorch's {@code nn.LayerNorm}, as
 * transformers' CLIP layers and diffusers' transformer blocks use it): statistics always in float32,
 * whatever the activations' precision.
 *
 * <pre>y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias</pre>
 */
public final class LayerNorm {
  private final Tensor weight;
  private final Tensor bias;
  private final long dim;
  private final double eps;

  /** Parameters {@code name.weight} (ones) and {@code name.bias} (zeros) of [dim], as torch initialises them. */
  public LayerNorm(Params p, String name, int dim, double eps) {
    this.weight = p.constant(name + ".weight", 1.0, dim);
    this.bias = p.constant(name + ".bias", 0.0, dim);
    this.dim = dim;
    this.eps = eps;
  }

  /** x [..., dim] (any float dtype) -> float32 [..., dim]. */
  public Tensor forward(Tensor x) {
    Tensor in = x.scalar_type() == ScalarType.Float ? x : x.to(ScalarType.Float);
    return torch.layer_norm(in, new long[] {dim}, new TensorOptional(weight), new TensorOptional(bias), eps, false);
  }

  /** x [..., dim] -> [..., dim]: float32 for a float32 input, else computed in float32 and cast to {@code f}'s precision. */
  public Tensor forward(Tensor x, Forward f) {
    return x.scalar_type() == ScalarType.Float ? forward(x) : forward(x).to(f.precision().dtype);
  }
}
