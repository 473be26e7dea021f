package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The ways this project can compute one 2-D convolution. All are differentiable and give the same
 * result in exact arithmetic; they differ in which libtorch kernel does the work, so that a kernel
 * that fails its self-check on a CPU ({@link KernelCheck}) can be avoided for the shapes it fails on
 * only.
 */
public enum ConvRoute {
  /** libtorch's {@code conv2d}: oneDNN's JIT kernels on x86 CPUs. The fast path. */
  FAST("libtorch conv2d (oneDNN)"),
  /**
   * Zero-pads the input and output channels up to a multiple of {@link #BLOCK} and slices the output
   * back. oneDNN's AVX-512 kernels work on 16-channel blocks; on AMD Zen 5 (oneDNN 3.7.1) the kernels
   * with a partial block (1, 3, 8 or 24 channels) returned wrong input gradients in fp32 and wrong
   * outputs in bf16, sometimes NaN; the full-block kernels did not. Padded input channels meet zero weights and padded output channels are discarded, so the
   * result is the convolution itself; the gradients of the padding are sliced away by autograd.
   */
  PAD16("zero-padded to a multiple of 16 channels"),
  /** libtorch's {@code thnn_conv2d}: im2col and a GEMM, no oneDNN. Correct everywhere, slow. */
  IM2COL("im2col + GEMM (thnn_conv2d)");

  /** The channel block of oneDNN's AVX-512 convolution kernels. */
  public static final int BLOCK = 16;

  /** Human-readable description for logs and {@code doctor}. */
  public final String description;

  ConvRoute(String description) {
    this.description = description;
  }

  /**
   * y = W * x + b with "same"-style {@code padding}, square {@code stride}, no dilation, one group.
   *
   * @param x [B, in, H, W]
   * @param w [out, in, k, k]
   * @param b [out] or null
   */
  public Tensor apply(Tensor x, Tensor w, Tensor b, long[] stride, long[] padding) {
    TensorOptional bias = b == null ? new TensorOptional() : new TensorOptional(b);
    switch (this) {
      case FAST:
        return torch.conv2d(x, w, bias, stride, padding, new long[] {1, 1}, 1);
      case IM2COL:
        return torch.thnn_conv2d(x, w, new long[] {w.size(2), w.size(3)}, bias, stride, padding);
      case PAD16: {
        long in = w.size(1);
        long out = w.size(0);
        long padIn = roundUp(in) - in;
        long padOut = roundUp(out) - out;
        Tensor xp = padIn == 0 ? x : torch.constant_pad_nd(x, new long[] {0, 0, 0, 0, 0, padIn}, Torch.s(0));
        Tensor wp = padIn + padOut == 0 ? w
            : torch.constant_pad_nd(w, new long[] {0, 0, 0, 0, 0, padIn, 0, padOut}, Torch.s(0));
        TensorOptional bp = b == null || padOut == 0 ? bias
            : new TensorOptional(torch.constant_pad_nd(b, new long[] {0, padOut}, Torch.s(0)));
        Tensor y = torch.conv2d(xp, wp, bp, stride, padding, new long[] {1, 1}, 1);
        return padOut == 0 ? y : y.narrow(1, 0, out);
      }
      default:
        throw new AssertionError(this);
    }
  }

  /** Whether {@link #PAD16} would change anything for these channel counts. */
  public static boolean partialBlock(long in, long out) {
    return in % BLOCK != 0 || out % BLOCK != 0;
  }

  private static long roundUp(long channels) {
    return (channels + BLOCK - 1) / BLOCK * BLOCK;
  }
}
