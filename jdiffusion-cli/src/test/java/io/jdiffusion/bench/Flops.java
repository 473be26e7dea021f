package io.jdiffusion.bench;

import io.jdiffusion.nn.UNetConfig;

/**
 * Floating-point operations of one U-Net forward pass per image, computed from the architecture
 * alone (one multiply-add = 2 FLOPs), for the benchmark's hardware-ceiling figure ({@code Bench
 * ceiling}'s {@code forward_flops_per_image}).
 *
 * <p>It walks the layers {@link io.jdiffusion.nn.UNet} builds, in the same order, and counts what
 * dominates the work: convolutions ({@code 2 * Cin * Cout * k * k * Hout * Wout}), linear layers
 * ({@code 2 * in * out} per row: the time-embedding MLP and each ResBlock's time projection once
 * per image, attention's projections once per pixel) and attention's two products ({@code q k^T}
 * and {@code softmax(.) v}: {@code 2 * 2 * heads * n * n * d} for {@code n} pixels). GroupNorm,
 * SiLU, softmax, additions and resampling are left out: together below 1% of the total.
 */
public final class Flops {
  private Flops() {}

  /**
   * FLOPs of one image's forward pass through the U-Net of {@code config} at {@code imageSize} x
   * {@code imageSize} pixels (usually {@code config.imageSize()}; the network is convolutional, and
   * attention stays at the levels the configuration put it).
   */
  public static long forward(UNetConfig config, int imageSize) {
    int levels = config.channelMults().size();
    int base = config.baseChannels();
    int temb = config.timeEmbedDim();
    int[] side = new int[levels]; // pixels on a side at each level
    boolean[] attention = new boolean[levels];
    int s = imageSize;
    int nominal = config.imageSize(); // attention goes by the resolutions the model was built for
    for (int i = 0; i < levels; i++) {
      side[i] = s;
      attention[i] = config.attentionResolutions().contains(nominal);
      s = (s + 1) / 2; // a stride-2 convolution with padding 1
      nominal = (nominal + 1) / 2;
    }
    long flops = linear(base, temb, 1) + linear(temb, temb, 1); // the time embedding's MLP
    flops += conv(config.inChannels(), base, 3, side[0]);
    int[] skips = new int[levels * (config.numResBlocks() + 1) + 1]; // channels of the skip connections, a stack
    int top = 0;
    skips[top++] = base;
    int ch = base;
    for (int i = 0; i < levels; i++) {
      int out = base * config.channelMults().get(i);
      for (int r = 0; r < config.numResBlocks(); r++) {
        flops += resBlock(ch, out, temb, side[i]);
        ch = out;
        if (attention[i]) {
          flops += attention(ch, config.heads(), side[i]);
        }
        skips[top++] = ch;
      }
      if (i < levels - 1) {
        flops += conv(ch, ch, 3, side[i + 1]); // stride 2
        skips[top++] = ch;
      }
    }
    flops += 2 * resBlock(ch, ch, temb, side[levels - 1]) + attention(ch, config.heads(), side[levels - 1]);
    for (int i = levels - 1; i >= 0; i--) {
      int out = base * config.channelMults().get(i);
      for (int r = 0; r <= config.numResBlocks(); r++) {
        flops += resBlock(ch + skips[--top], out, temb, side[i]);
        ch = out;
        if (attention[i]) {
          flops += attention(ch, config.heads(), side[i]);
        }
      }
      if (i > 0) {
        flops += conv(ch, ch, 3, side[i - 1]); // after nearest-neighbour upsampling to the skip's size
      }
    }
    return flops + conv(ch, config.inChannels(), 3, side[0]);
  }

  /** A ResBlock: two 3x3 convolutions, the time projection, a 1x1 shortcut when the channels change. */
  private static long resBlock(int in, int out, int temb, int side) {
    long flops = conv(in, out, 3, side) + linear(temb, out, 1) + conv(out, out, 3, side);
    return in == out ? flops : flops + conv(in, out, 1, side);
  }

  /** Self-attention over {@code side x side} pixels of {@code channels}: four projections and two products. */
  private static long attention(int channels, int heads, int side) {
    long n = (long) side * side;
    long d = channels / heads;
    return 4 * linear(channels, channels, n) + 2 * 2 * heads * n * n * d;
  }

  /** A convolution with a {@code k x k} kernel whose output is {@code side x side}. */
  private static long conv(int in, int out, int k, int side) {
    return 2L * in * out * k * k * side * side;
  }

  /** A linear layer applied to {@code rows} vectors. */
  private static long linear(int in, int out, long rows) {
    return 2L * in * out * rows;
  }
}
