package io.jdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClassifierFreeGuidanceTest {
  private static final int CLASSES = 3;
  private static UNet net;

  @BeforeAll
  static void init() {
    TestTorch.init();
    torch.manual_seed(11);
    net = new UNet(TestTorch.micro(CLASSES));
  }

  private static float[] plain(Tensor x, double t, int[] labels) {
    return Torch.toFloats(new UNetDenoiser(net, Prediction.EPS, labels, Precision.FP32).output(x, t));
  }

  private static float[] guided(Tensor x, double t, int[] labels, double w) {
    return Torch.toFloats(new ClassifierFreeGuidance(net, Prediction.EPS, labels, w, Precision.FP32).output(x, t));
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    double diff = TestTorch.maxAbsDiff(expected, actual);
    assertTrue(diff < 1e-5, what + ": max diff " + diff);
  }

  @Test
  void weightZeroIsUnconditionalAndOneIsConditional() {
    int[] labels = {0, 2, 1, 2};
    int[] none = {CLASSES, CLASSES, CLASSES, CLASSES};
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x = torch.randn(4, 1, 8, 8);
      for (double t : new double[] {0, 312.5, 999}) {
        float[] cond = plain(x, t, labels);
        float[] uncond = plain(x, t, none);
        assertTrue(TestTorch.maxAbsDiff(cond, uncond) > 1e-3, "labels must matter for the test to mean anything");
        assertClose(uncond, guided(x, t, labels, 0), "w = 0 at t = " + t);
        assertClose(cond, guided(x, t, labels, 1), "w = 1 at t = " + t);
      }
    }
  }

  @Test
  void oneBatchOfTwoNImagesEqualsTwoSeparatePasses() {
    int[] labels = {1, 1, 0};
    int[] none = {CLASSES, CLASSES, CLASSES};
    double w = 3.5;
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor x = torch.randn(3, 1, 8, 8);
      float[] cond = plain(x, 420, labels);
      float[] uncond = plain(x, 420, none);
      float[] expected = new float[cond.length];
      for (int i = 0; i < cond.length; i++) {
        expected[i] = (float) (uncond[i] + w * (cond[i] - uncond[i]));
      }
      assertClose(expected, guided(x, 420, labels, w), "w = " + w);
    }
  }

  @Test
  void rejectsUnconditionalModelsAndBadLabels() {
    UNet unconditional = new UNet(TestTorch.micro(0));
    assertThrows(IllegalArgumentException.class,
        () -> new ClassifierFreeGuidance(unconditional, Prediction.EPS, new int[] {0}, 2, Precision.FP32));
    assertThrows(IllegalArgumentException.class,
        () -> new ClassifierFreeGuidance(net, Prediction.EPS, new int[] {CLASSES}, 2, Precision.FP32));
    assertThrows(IllegalArgumentException.class,
        () -> new ClassifierFreeGuidance(net, Prediction.EPS, new int[] {0}, Double.NaN, Precision.FP32));
  }
}
