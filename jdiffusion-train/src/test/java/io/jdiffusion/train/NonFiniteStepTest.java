package io.jdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No step with a NaN or infinite loss or gradient is ever applied, and no such tensor is ever saved. */
class NonFiniteStepTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static Map<String, float[]> snapshot(Map<String, Tensor> params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      params.forEach((k, v) -> out.put(k, Torch.toFloats(v)));
    }
    return out;
  }

  private static void assertUnchanged(Map<String, float[]> before, Map<String, Tensor> now) {
    Map<String, float[]> after = snapshot(now);
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
  }

  /** One optimize call with a NaN pixel in x0, so that the loss and the gradients are NaN. */
  private static Trainer.StepResult poisonedStep(Trainer t) {
    try (PointerScope scope = new PointerScope()) {
      float[] pixels = new float[8 * 64];
      pixels[0] = Float.NaN;
      Tensor x0 = Torch.tensor(pixels, 8, 1, 8, 8);
      return t.optimize(x0, torch.randn(8, 1, 8, 8), new int[] {1, 2, 3, 4, 5, 6, 7, 8}, null, 1e-3);
    }
  }

  @Test
  void stopPolicyAppliesNothingAndNamesTheStepAsTheLogsDo(@TempDir Path dir) throws Exception {
    TrainConfig cfg = TrainerTest.config(TestTorch.micro(0), 10, 1e-3, "eps", "fp32");
    Trainer t = new Trainer(cfg, new SyntheticImages(16, 8), dir, false, true);
    t.run(2); // two good steps, checkpointed at step 2
    Map<String, float[]> model = snapshot(t.model().parameters());
    Map<String, float[]> ema = snapshot(t.ema().model().parameters());
    NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> poisonedStep(t));
    assertEquals(3, e.step());
    assertTrue(e.getMessage().startsWith("step 3 of 10: loss NaN, gradient norm NaN; the step was not applied"),
        e.getMessage());
    assertTrue(e.getMessage().contains("step-0000002.safetensors"), e.getMessage());
    assertFalse(e.getMessage().contains("learning rate"), "no guess at the cause: " + e.getMessage());
    assertUnchanged(model, t.model().parameters());
    assertUnchanged(ema, t.ema().model().parameters());
  }

  @Test
  void skipPolicyDropsTheStepCountsItAndStopsAfterTenInARow(@TempDir Path dir) throws Exception {
    TrainConfig cfg = TrainerTest.config(TestTorch.micro(0), 30, 1e-3, "eps", "fp32");
    Trainer t = new Trainer(cfg, new SyntheticImages(16, 8), dir, false, true).onNonFinite(NonFinitePolicy.SKIP);
    t.run(1);
    Map<String, float[]> model = snapshot(t.model().parameters());
    Map<String, float[]> moments = snapshot(t.optimizer().state());
    long adamSteps = t.optimizer().stepCount();
    for (int i = 1; i < NonFinitePolicy.MAX_CONSECUTIVE_SKIPS; i++) {
      Trainer.StepResult r = poisonedStep(t);
      assertFalse(r.applied());
      assertEquals(i, t.skippedSteps());
    }
    assertUnchanged(model, t.model().parameters());
    assertUnchanged(moments, t.optimizer().state());
    assertEquals(adamSteps, t.optimizer().stepCount());
    NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> poisonedStep(t));
    assertTrue(e.getMessage().contains("10 steps in a row were not finite"), e.getMessage());
  }

  @Test
  void nonFiniteTensorsAreNeitherWrittenNorRead(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("w.safetensors");
    Map<String, Safetensors.Entry> bad = Map.of("w", new Safetensors.Entry(new long[] {3}, new float[] {1, Float.NaN, 2}));
    StoreException w = assertThrows(StoreException.class, () -> Safetensors.write(f, bad, Map.of(), false));
    assertTrue(w.getMessage().contains("tensor w holds 1 non-finite values"), w.getMessage());
    assertFalse(Files.exists(f), "nothing written");
    // 3.4e38 is finite in float32 but rounds to infinity in bfloat16
    Map<String, Safetensors.Entry> big = Map.of("w", new Safetensors.Entry(new long[] {1}, new float[] {3.4e38f}));
    assertThrows(StoreException.class, () -> Safetensors.write(f, big, Map.of(), true));
    Safetensors.write(f, big, Map.of(), false);
    // a file with an infinity, written by another tool (no checksum), is refused on read
    byte[] json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(
        java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(8 + json.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    file.putLong(json.length).put(json).putFloat(Float.POSITIVE_INFINITY);
    Files.write(f, file.array());
    StoreException r = assertThrows(StoreException.class, () -> Safetensors.read(f));
    assertTrue(r.getMessage().contains("tensor w holds 1 non-finite values"), r.getMessage());
  }

}
