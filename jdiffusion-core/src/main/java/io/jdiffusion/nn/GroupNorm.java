package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Group normalisation (Wu &amp; He 2018) with libtorch's native kernel: statistics over each group of
 * C/G channels and all pixels, then a per-channel affine map. Statistics are computed in float32
 * whatever the activation dtype (for bf16 activations libtorch's mixed-type kernel accumulates in
 * fp32 and keeps the fp32 weight and bias).
 */
public final class GroupNorm {
  private final Tensor weight;
  private final Tensor bias;
  private final int groups;
  private final double eps;

  /** A GroupNorm with PyTorch's default epsilon, 1e-5. */
  public GroupNorm(Params params, String name, int groups, int channels) {
    this(params, name, groups, channels, 1e-5);
  }

  /** @param eps added to the variance (diffusers' norm_eps) */
  public GroupNorm(Params params, String name, int groups, int channels, double eps) {
    if (channels % groups != 0) {
      throw new IllegalArgumentException(
          name + ": " + channels + " channels not divisible into " + groups + " groups");
    }
    this.groups = groups;
    this.eps = eps;
    this.weight = params.constant(name + ".weight", 1.0, channels);
    this.bias = params.constant(name + ".bias", 0.0, channels);
  }

  public Tensor forward(Tensor x, Forward f) {
    if (x.is_cpu()) { // the self-checks are of the CPU's kernels
      Kernels.require(new KernelSpec.GroupNormSpec(groups, (int) x.size(1), (int) x.size(2), (int) x.size(3), f.precision()));
    }
    if (f.precision() == Precision.FP32) {
      return torch.group_norm(x, groups, new TensorOptional(weight), new TensorOptional(bias), eps, true);
    }
    // libtorch's mixed-type kernel: bf16 in and out, fp32 weight and bias, statistics accumulated in
    // fp32 inside the kernel; no fp32 copy of the activation is made or kept for backward
    return torch.group_norm(x.to(f.precision().dtype), groups, new TensorOptional(weight), new TensorOptional(bias),
        eps, true);
  }
}
