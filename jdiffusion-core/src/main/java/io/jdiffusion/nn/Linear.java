package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** Affine map y = x W^T + b over the last dimension, PyTorch default init. */
public final class Linear {
  private final Tensor weight;
  private final Tensor bias;

  public Linear(Params params, String name, int in, int out) {
    double bound = 1.0 / Math.sqrt(in);
    this.weight = params.uniform(name + ".weight", bound, out, in);
    this.bias = params.uniform(name + ".bias", bound, out);
  }

  public Tensor forward(Tensor x, Forward f) {
    if (x.is_cpu()) { // the self-checks are of the CPU's kernels
      Kernels.require(new KernelSpec.LinearSpec((int) weight.size(1), (int) weight.size(0), f.precision()));
    }
    if (f.precision() == Precision.FP32) {
      return torch.linear(x, weight, new TensorOptional(bias));
    }
    return torch.linear(
        x, weight.to(f.precision().dtype), new TensorOptional(bias.to(f.precision().dtype)));
  }
}
