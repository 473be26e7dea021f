package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** Affine map y = x W^T + b over the last dimension, PyTorch default init. */
public final class Linear {
  private final Tensor weight;
  private final Tensor bias;

  public Linear(Params params, String name, int in, int out) {
    this(params, name, in, out, true);
  }

  /** @param bias false: y = x W^T, no bias parameter (PyTorch's {@code nn.Linear(bias=False)}) */
  public Linear(Params params, String name, int in, int out, boolean bias) {
    double bound = 1.0 / Math.sqrt(in);
    this.weight = params.uniform(name + ".weight", bound, out, in);
    this.bias = bias ? params.uniform(name + ".bias", bound, out) : null;
  }

  public Tensor forward(Tensor x, Forward f) {
    if (x.is_cpu()) { // the self-checks are of the CPU's kernels
      Kernels.require(new KernelSpec.LinearSpec((int) weight.size(1), (int) weight.size(0), f.precision()));
    }
    if (f.precision() == Precision.FP32) {
      return bias == null ? torch.linear(x, weight) : torch.linear(x, weight, new TensorOptional(bias));
    }
    Tensor w = weight.to(f.precision().dtype);
    return bias == null ? torch.linear(x, w) : torch.linear(x, w, new TensorOptional(bias.to(f.precision().dtype)));
  }
}
