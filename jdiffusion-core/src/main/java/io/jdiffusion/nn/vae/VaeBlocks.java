package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Carry;
import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.ResBlock;
import io.jdiffusion.nn.Torch;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The pieces diffusers' autoencoders share: the {@code ResnetBlock2D} without time embedding
 * (resnet.py, temb_channels None, eps 1e-6) and the nearest-neighbour upsampling of
 * {@code Upsample2D} / {@code nn.Upsample(mode="nearest")} (upsampling.py).
 */
final class VaeBlocks {
  /** GroupNorm epsilon of diffusers' Encoder, Decoder and their blocks (resnet_eps). */
  static final double EPS = 1e-6;

  private VaeBlocks() {}

  /** One stage of a sequential network. */
  @FunctionalInterface
  interface Layer {
    Tensor forward(Tensor x, Forward f);
  }

  /**
   * Runs {@code layers} in order (PyTorch's nn.Sequential), each in its own scope, freeing every
   * intermediate as soon as the next one exists: a 512x512 decode holds two activations at a time, not
   * one per layer. The result is attached to the caller's scope.
   */
  static Tensor sequential(List<Layer> layers, Tensor x, Forward f) {
    try (Carry h = new Carry(x)) {
      for (Layer layer : layers) {
        try (PointerScope step = new PointerScope()) {
          h.set(layer.forward(h.get(), f));
        }
      }
      return h.release();
    }
  }

  /** ResnetBlock2D(in, out, temb_channels=None, eps=1e-6, groups): a {@link ResBlock} with tembDim 0. */
  static ResBlock resnet(Params p, String name, int in, int out, int groups) {
    return new ResBlock(p, name, in, out, 0, groups, 0.0, EPS, false, 1.0);
  }

  /** F.interpolate(x, scale_factor=factor, mode="nearest"): [B, C, H, W] -> [B, C, factor H, factor W]. */
  static Tensor nearest(Tensor x, int factor) {
    long[] s = Torch.shape(x);
    return torch.upsample_nearest2d(x, new long[] {s[2] * factor, s[3] * factor}, new DoubleOptional(),
        new DoubleOptional());
  }

  /** Upsample2D(use_conv=True): nearest x2, then a 3x3 convolution ({@code name.conv}). */
  static final class Upsample {
    private final Conv2d conv;

    Upsample(Params p, String name, int channels) {
      this.conv = new Conv2d(p, name + ".conv", channels, channels, 3, 1);
    }

    Tensor forward(Tensor x, Forward f) {
      return Torch.scoped(() -> conv.forward(nearest(x, 2), f));
    }
  }
}
