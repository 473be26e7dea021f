package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * 2-D convolution, square kernel, "same" padding for odd kernels unless told otherwise, PyTorch default init. The kernel
 * that computes it is the one {@link Kernels} found correct on this CPU for its shape.
 */
public final class Conv2d {
  private final Tensor weight;
  private final Tensor bias; // null: none
  private final long[] stride;
  private final long[] padding;

  /**
   * @param params where the weight [out, in, k, k] and bias [out] are registered
   * @param name prefix, e.g. "conv_in"
   * @param in input channels
   * @param out output channels
   * @param kernel kernel size k
   * @param stride stride (2 for downsampling)
   */
  public Conv2d(Params params, String name, int in, int out, int kernel, int stride) {
    this(params, name, in, out, kernel, stride, kernel / 2);
  }

  /** A convolution with {@code padding} zeros on each side instead of "same" padding. */
  public Conv2d(Params params, String name, int in, int out, int kernel, int stride, int padding) {
    this(params, name, in, out, kernel, stride, padding, true);
  }

  /** A convolution with {@code padding} zeros on each side, without a bias when {@code bias} is false (PyTorch's bias=False). */
  public Conv2d(Params params, String name, int in, int out, int kernel, int stride, int padding, boolean bias) {
    double bound = 1.0 / Math.sqrt((double) in * kernel * kernel);
    this.weight = params.uniform(name + ".weight", bound, out, in, kernel, kernel);
    this.bias = bias ? params.uniform(name + ".bias", bound, out) : null;
    this.stride = new long[] {stride, stride};
    this.padding = new long[] {padding, padding};
  }

  /** y = W * x + b, computed in {@code f.precision()}. */
  public Tensor forward(Tensor x, Forward f) {
    Tensor w = weight;
    Tensor b = bias;
    if (f.precision() != Precision.FP32) {
      w = weight.to(f.precision().dtype);
      b = bias == null ? null : bias.to(f.precision().dtype);
    }
    return Kernels.conv2d(x, w, b, stride, padding);
  }
}
