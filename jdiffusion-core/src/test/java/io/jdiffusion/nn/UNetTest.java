package io.jdiffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.schedule.ScheduleConfig;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void referenceConfigHasTheGuidesParameterCount() {
    // The GUIDE's reference U-Net: 6.47 M parameters (PyTorch's count of the same architecture).
    assertEquals(6_472_195, new UNet(UNetConfig.reference(3, 32, 0)).parameterCount());
    assertEquals(1_112_801, new UNet(UNetConfig.tiny(1, 28, 0)).parameterCount());
  }

  @Test
  void microParameterCountMatchesAHandCount() {
    // conv(in,out,k) = out*in*k*k + out; linear(in,out) = out*in + out; norm(c) = 2c
    UNetConfig c = TestTorch.micro(0);
    long conv3 = 0;
    long temb = (8 * 32 + 32) + (32 * 32 + 32);
    long convIn = 8 * 1 * 9 + 8;
    java.util.function.LongBinaryOperator res = (in, out) ->
        2 * in + (out * in * 9 + out) + (out * 32 + out) + 2 * out + (out * out * 9 + out) + (in == out ? 0 : out * in + out);
    java.util.function.LongUnaryOperator attn = ch -> 2 * ch + 4 * (ch * ch + ch);
    long down = res.applyAsLong(8, 8) + (8 * 8 * 9 + 8) + res.applyAsLong(8, 16) + attn.applyAsLong(16);
    long mid = 2 * res.applyAsLong(16, 16) + attn.applyAsLong(16);
    // up level 0 (4x4, 16 ch): skips 16, 8 -> inputs 16+16, 16+8; up level 1 (8x8): skips 8, 8 -> 16+8, 8+8
    long up = res.applyAsLong(32, 16) + res.applyAsLong(24, 16) + 2 * attn.applyAsLong(16) + (16 * 16 * 9 + 16)
        + res.applyAsLong(24, 8) + res.applyAsLong(16, 8);
    long out = 2 * 8 + (1 * 8 * 9 + 1);
    assertEquals(convIn + temb + down + mid + up + out + conv3, new UNet(c).parameterCount());
  }

  @Test
  void theConfigCountsTheParametersTheNetworkBuildsAndRefusesHugeOnesUpFront() {
    for (UNetConfig c : List.of(UNetConfig.tiny(1, 28, 0), UNetConfig.reference(3, 32, 10), TestTorch.micro(0),
        TestTorch.micro(3), UNetConfig.tiny(3, 7, 0).toBuilder().channelMults(List.of(1, 2, 3)).numResBlocks(3)
            .attentionResolutions(List.of(7, 2)).heads(2).build())) {
      assertEquals(new UNet(c).parameterCount(), c.parameterCount(), c.toString());
    }
    // sizes whose weights would not fit in memory are refused by the config, before any allocation
    UNetConfig.Builder b = UNetConfig.tiny(1, 28, 0).toBuilder();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.baseChannels(100_000).build());
    assertTrue(e.getMessage().contains("parameters, more than the 1073741824"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.baseChannels(2_000_000_000).build()); // no int overflow
    assertThrows(IllegalArgumentException.class, () -> b.baseChannels(32).channelMults(List.of(1, 1_000_000)).build());
    assertThrows(IllegalArgumentException.class, () -> b.channelMults(List.of(1, 2)).numResBlocks(1_000_000).build());
    assertThrows(IllegalArgumentException.class, () -> b.numResBlocks(1).numClasses(2_000_000_000).build());
    assertThrows(IllegalArgumentException.class, () -> b.numClasses(0).inChannels(2).build());
  }

  @Test
  void outputHasTheInputShapeForOddAndEvenSizes() {
    for (int size : new int[] {8, 28, 7}) {
      UNetConfig c = io.jdiffusion.TestTorch.unet(3, size, 8, List.of(1, 2, 2), 1, List.of(), 2, 0.0, 4, 0);
      try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
        Tensor y = new UNet(c).forward(torch.randn(2, 3, size, size), new double[] {0, 999}, null, Forward.EVAL_FP32);
        assertArrayEquals(new long[] {2, 3, size, size}, Torch.shape(y));
      }
    }
  }

  @Test
  void bf16ForwardIsCloseToFp32() {
    torch.manual_seed(3);
    UNet net = new UNet(TestTorch.micro(0));
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x = torch.randn(4, 1, 8, 8);
      double[] t = {1, 10, 100, 900};
      float[] a = Torch.toFloats(net.forward(x, t, null, Forward.EVAL_FP32));
      float[] b = Torch.toFloats(net.forward(x, t, null, new Forward(Precision.BF16, false)));
      double scale = 0;
      for (float v : a) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertTrue(TestTorch.maxAbsDiff(a, b) < 0.05 * scale, "bf16 differs by " + TestTorch.maxAbsDiff(a, b));
    }
  }

  @Test
  void classLabelsChangeTheOutputAndAreRequired() {
    torch.manual_seed(4);
    UNet net = new UNet(TestTorch.micro(3));
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x = torch.randn(2, 1, 8, 8);
      double[] t = {50, 50};
      float[] a = Torch.toFloats(net.forward(x, t, new int[] {0, 3}, Forward.EVAL_FP32));
      float[] b = Torch.toFloats(net.forward(x, t, new int[] {1, 3}, Forward.EVAL_FP32));
      assertTrue(TestTorch.maxAbsDiff(java.util.Arrays.copyOf(a, 64), java.util.Arrays.copyOf(b, 64)) > 1e-4);
      assertEquals(0.0, TestTorch.maxAbsDiff(java.util.Arrays.copyOfRange(a, 64, 128), java.util.Arrays.copyOfRange(b, 64, 128)), 1e-6);
      assertThrows(IllegalArgumentException.class, () -> net.forward(x, t, null, Forward.EVAL_FP32));
    }
  }

  @Test
  void savedWeightsReloadToIdenticalOutputs(@TempDir Path dir) throws Exception {
    torch.manual_seed(5);
    UNet net = new UNet(TestTorch.micro(0));
    TrainedModel m = new TrainedModel(net, ScheduleConfig.defaults(), Prediction.V);
    Path file = dir.resolve("w.safetensors");
    m.exportWeights(file, false);
    TrainedModel back = TrainedModel.load(file, true);
    assertEquals(Prediction.V, back.prediction());
    assertEquals(net.config(), back.config());
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x = torch.randn(3, 1, 8, 8);
      double[] t = {0, 500, 999};
      float[] a = Torch.toFloats(net.forward(x, t, null, Forward.EVAL_FP32));
      float[] b = Torch.toFloats(back.net().forward(x, t, null, Forward.EVAL_FP32));
      assertArrayEquals(a, b);
    }
    assertTrue(back.net().parameters().keySet().contains("down_blocks.1.attentions.0.to_q.weight"));
  }

  @Test
  void sameSeedBuildsTheSameWeights() {
    torch.manual_seed(9);
    UNet a = new UNet(TestTorch.micro(0));
    torch.manual_seed(9);
    UNet b = new UNet(TestTorch.micro(0));
    try (PointerScope scope = new PointerScope()) {
      for (var e : a.parameters().entrySet()) {
        assertArrayEquals(Torch.toFloats(e.getValue()), Torch.toFloats(b.parameters().get(e.getKey())), e.getKey());
      }
    }
  }

  @Test
  void configRejectsIndivisibleChannels() {
    assertThrows(IllegalArgumentException.class,
        () -> io.jdiffusion.TestTorch.unet(1, 28, 12, List.of(1, 2), 1, List.of(), 4, 0.0, 8, 0));
    assertThrows(IllegalArgumentException.class,
        () -> io.jdiffusion.TestTorch.unet(1, 28, 8, List.of(1, 2), 1, List.of(14), 3, 0.0, 4, 0));
  }

  @Test
  void attentionIsPlacedSymmetricallyForEverySizeAndLevelCount() {
    for (int size : new int[] {7, 8, 13, 28, 32}) {
      for (int levels = 1; levels <= 4; levels++) {
        List<Integer> resolutions = new java.util.ArrayList<>();
        for (int i = 0, r = size; i < levels; i++, r = (r + 1) / 2) {
          resolutions.add(r);
        }
        for (int at : resolutions) {
          UNetConfig c = io.jdiffusion.TestTorch.unet(1, size, 8, java.util.Collections.nCopies(levels, 1), 1, List.of(at), 2, 0.0, 4,
              0);
          java.util.Set<String> names = new UNet(c).parameters().keySet();
          for (int i = 0; i < levels; i++) {
            String down = "down_blocks." + i + ".attentions.0.to_q.weight";
            String up = "up_blocks." + (levels - 1 - i) + ".attentions.0.to_q.weight";
            boolean expected = resolutions.get(i) == at;
            String where = size + "x" + size + ", " + levels + " levels, attention at " + at + ", level " + i;
            assertEquals(expected, names.contains(down), "down: " + where);
            assertEquals(expected, names.contains(up), "up: " + where);
          }
        }
      }
    }
  }
}
