package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Halves the resolution with a stride-2 3x3 convolution (diffusers' {@code Downsample2D} with
 * use_conv): {@code downsample_padding} 1 pads one zero on each side (size ceil(n/2)); 0 pads one zero
 * on the right and bottom only, {@code F.pad(x, (0, 1, 0, 1))} (size floor(n/2)), as Ho et al.'s
 * TensorFlow models and google/ddpm-* do.
 */
public final class Downsample {
  private final Conv2d conv;
  private final boolean rightBottom;

  /**
   * @param name prefix, e.g. "down_blocks.0.downsamplers.0" (the weight is {@code name.conv.weight})
   * @param padding diffusers' downsample_padding: 1 or 0
   */
  public Downsample(Params p, String name, int channels, int padding) {
    if (padding != 0 && padding != 1) {
      throw new IllegalArgumentException("downsample padding must be 0 or 1, got " + padding);
    }
    this.conv = new Conv2d(p, name + ".conv", channels, channels, 3, 2, padding);
    this.rightBottom = padding == 0;
  }

  /** x [B, C, H, W] -> [B, C, H', W'] with H' = ceil(H/2) (padding 1) or floor(H/2) (padding 0). */
  public Tensor forward(Tensor x, Forward f) {
    if (!rightBottom) {
      return conv.forward(x, f);
    }
    return Torch.scoped(() -> conv.forward(torch.constant_pad_nd(x, new long[] {0, 1, 0, 1}, Torch.s(0)), f));
  }
}
