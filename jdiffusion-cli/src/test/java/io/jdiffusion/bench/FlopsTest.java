package io.jdiffusion.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The analytic FLOP count against the counter it replaced, and against the weights a real model registers. */
class FlopsTest {
  private static final UNetConfig ODD_SIZES =
      io.jdiffusion.TestTorch.unet(3, 30, 16, List.of(1, 2, 3, 4), 2, List.of(30, 8, 4), 2, 0.0, 8, 0); // 30, 15, 8, 4
  private static final UNetConfig CONDITIONAL_ODD =
      io.jdiffusion.TestTorch.unet(1, 9, 8, List.of(1, 1, 2), 3, List.of(9, 5, 3), 4, 0.0, 4, 5); // 9, 5, 3

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /**
   * The figures the old run-time counter gave (nn/FlopCounter, which Conv2d, Linear and SelfAttention
   * fed on every forward pass; removed with this class's introduction): measured at commit c329d72 by
   * one forward pass of batch 1 through {@code new UNet(config)} in {@code Forward.EVAL_FP32}
   * between FlopCounter.start() and stop(). Batch 3 gave exactly three times each. The reference
   * figures are also the forward_flops_per_image of bench/results/amd-zen5-2026-11-30.jsonl.
   */
  @Test
  void equalsWhatTheRunTimeCounterCounted() {
    assertEquals(380_079_104L, Flops.forward(UNetConfig.tiny(1, 28, 0), 28));
    assertEquals(380_079_104L, Flops.forward(UNetConfig.tiny(1, 28, 10), 28));
    assertEquals(499_712_000L, Flops.forward(UNetConfig.tiny(3, 32, 0), 32));
    assertEquals(2_208_406_528L, Flops.forward(UNetConfig.reference(1, 28, 0), 28));
    assertEquals(2_891_776_000L, Flops.forward(UNetConfig.reference(3, 32, 0), 32));
    assertEquals(2_085_888L, Flops.forward(TestTorch.micro(0), 8));
    assertEquals(489_011_968L, Flops.forward(ODD_SIZES, 30));
    assertEquals(5_714_784L, Flops.forward(CONDITIONAL_ODD, 9));
  }

  @Test
  void equalsACountFromTheModelsOwnWeights() {
    List<UNetConfig> configs = List.of(UNetConfig.tiny(1, 28, 0), UNetConfig.tiny(3, 32, 10),
        UNetConfig.reference(3, 32, 0), TestTorch.micro(3), ODD_SIZES, CONDITIONAL_ODD);
    for (UNetConfig c : configs) {
      UNet net = new UNet(c);
      assertEquals(fromWeights(net, c.imageSize()), Flops.forward(c, c.imageSize()), c.toString());
    }
    UNetConfig tiny = UNetConfig.tiny(1, 28, 0); // at another image size: attention stays at its level
    assertEquals(fromWeights(new UNet(tiny), 32), Flops.forward(tiny, 32));
    assertEquals(fromWeights(new UNet(tiny), 13), Flops.forward(tiny, 13));
  }

  /**
   * An independent count: every convolution and linear weight the model registered, by its shape,
   * at the resolution its diffusers-style name places it (down_blocks.i at level i, its downsampler
   * one level lower; up_blocks.j at level L-1-j, its upsampler one level higher; mid_block at the
   * lowest level; conv_in and conv_out at full size); attention projections once per pixel and each
   * attention's two products from its to_q weight.
   */
  private static long fromWeights(UNet net, int imageSize) {
    int levels = net.config().channelMults().size();
    int[] side = new int[levels];
    for (int i = 0, s = imageSize; i < levels; i++, s = (s + 1) / 2) {
      side[i] = s;
    }
    int heads = net.config().heads();
    long flops = 0;
    try (PointerScope scope = new PointerScope()) {
      for (Map.Entry<String, Tensor> e : net.parameters().entrySet()) {
        String name = e.getKey();
        long[] shape = Torch.shape(e.getValue());
        if (!name.endsWith(".weight") || name.equals("class_embedding.weight") || shape.length < 2) {
          continue; // biases, GroupNorm scales, the class embedding (a lookup)
        }
        long n = (long) side[level(name, levels)] * side[level(name, levels)];
        long weights = 1;
        for (long d : shape) {
          weights *= d;
        }
        if (shape.length == 4) {
          flops += 2 * weights * n; // a convolution: Cout * Cin * k * k multiply-adds per output pixel
        } else {
          flops += 2 * weights * (name.contains(".attentions.") ? n : 1); // linear: per pixel or per image
          if (name.endsWith(".to_q.weight")) {
            flops += 2 * 2 * heads * n * n * (shape[0] / heads); // q k^T and softmax(.) v
          }
        }
      }
    }
    return flops;
  }

  /** The level whose resolution a weight's output has, from its name. */
  private static int level(String name, int levels) {
    String[] parts = name.split("\\.");
    return switch (parts[0]) {
      case "down_blocks" -> Integer.parseInt(parts[1]) + (parts[2].equals("downsamplers") ? 1 : 0);
      case "up_blocks" -> levels - 1 - Integer.parseInt(parts[1]) - (parts[2].equals("upsamplers") ? 1 : 0);
      case "mid_block" -> levels - 1;
      default -> 0; // conv_in, conv_out, time_embedding (per image: the level does not matter)
    };
  }
}
