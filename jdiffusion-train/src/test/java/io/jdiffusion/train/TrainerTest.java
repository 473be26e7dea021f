package io.jdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.schedule.ScheduleConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  static TrainConfig config(UNetConfig model, int steps, double lr, String prediction, String precision) {
    return config(model, steps, lr, prediction, precision, 10);
  }

  static TrainConfig config(UNetConfig model, int steps, double lr, String prediction, String precision, int keep) {
    return TrainConfig.builder().data("synthetic").model(model).schedule(ScheduleConfig.linear(100, 1e-4, 0.05))
        .prediction(Prediction.parse(prediction)).batchSize(8).steps(steps).lr(lr).warmupSteps(5).weightDecay(0.01)
        .emaDecay(0.9).flip(true).classDropout(0.2).seed(42).precision(Precision.parse(precision)).threads(2)
        .logEvery(1).checkpointEvery(4).keepCheckpoints(keep).sampleEvery(0).build();
  }

  private static UNetConfig microWithDropout(int classes) {
    UNetConfig m = TestTorch.micro(classes);
    return m.toBuilder().dropout(0.1).build();
  }

  private static void assertSameWeights(Map<String, Tensor> a, Map<String, Tensor> b) {
    try (PointerScope scope = new PointerScope()) {
      for (var e : a.entrySet()) {
        assertArrayEquals(Torch.toFloats(e.getValue()), Torch.toFloats(b.get(e.getKey())), e.getKey());
      }
    }
  }

  @Test
  void resumingAfterACheckpointEqualsTheUninterruptedRun(@TempDir Path dir) throws Exception {
    // dropout, label dropout, flips, EMA warm-up and the cosine schedule all take part
    TrainConfig cfg = config(microWithDropout(2), 10, 2e-3, "v", "fp32");
    SyntheticImages data = new SyntheticImages(24, 8);
    Trainer whole = new Trainer(cfg, data, dir.resolve("a"), false, true);
    whole.run();

    Trainer first = new Trainer(cfg, data, dir.resolve("b"), false, true);
    first.run(6); // stops and checkpoints at 6, off the every-4 grid
    Trainer second = new Trainer(cfg, data, dir.resolve("b"), true, true);
    assertEquals(6, second.step());
    second.run();

    assertEquals(10, second.step());
    assertSameWeights(whole.model().parameters(), second.model().parameters());
    assertSameWeights(whole.ema().model().parameters(), second.ema().model().parameters());
    List<String> rows = Files.readAllLines(dir.resolve("b").resolve("metrics.csv"));
    assertEquals(11, rows.size(), "header + one row per step, no duplicates after resume");
  }

  @Test
  void checkpointsAreRotatedAndVerified(@TempDir Path dir) throws Exception {
    TrainConfig cfg = config(TestTorch.micro(0), 12, 1e-3, "eps", "fp32", 2);
    new Trainer(cfg, new SyntheticImages(16, 8), dir, false, true).run();
    List<Path> ck = Checkpoint.list(dir);
    assertEquals(List.of("step-0000008.safetensors", "step-0000012.safetensors"),
        ck.stream().map(p -> p.getFileName().toString()).toList(), "keepCheckpoints = 2");
    Checkpoint c = Checkpoint.load(ck.get(1));
    assertEquals(12, c.step());
    assertEquals(cfg, c.config());
  }

  @Test
  void aTinyModelOverfitsAHandfulOfImages(@TempDir Path dir) throws Exception {
    // 4 images, 300 steps: the mean loss of the last 30 steps is at least 4x below the first 30.
    TrainConfig cfg = config(TestTorch.micro(0), 300, 3e-3, "eps", "fp32");
    Trainer t = new Trainer(cfg, new SyntheticImages(4, 8), dir, false, true);
    t.run();
    List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
    double first = 0;
    double last = 0;
    for (int i = 1; i <= 30; i++) {
      first += Double.parseDouble(rows.get(i).split(",")[1]);
      last += Double.parseDouble(rows.get(rows.size() - i).split(",")[1]);
    }
    assertTrue(last * 4 < first, "loss fell from " + first / 30 + " to " + last / 30);
  }

  private static long settledPointerCount() throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 20; i++) {
      System.gc();
      Thread.sleep(50);
      long now = Pointer.totalCount();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  @Test
  void liveNativeObjectsStayConstantAcrossSteps(@TempDir Path dir) throws Exception {
    TrainConfig cfg = config(TestTorch.micro(2), 40, 1e-3, "eps", "bf16");
    Trainer t = new Trainer(cfg, new SyntheticImages(16, 8), dir, false, true);
    Batches batches = new Batches(new SyntheticImages(16, 8), 8, 1, true, 0.1, true);
    for (int i = 0; i < 3; i++) {
      t.trainStep(batches.make(i), 1e-3); // warm-up
    }
    // other tests' models are garbage-collected at random moments: settle the collector first
    long before = settledPointerCount();
    long bytesBefore = Pointer.totalBytes();
    for (int i = 3; i < 20; i++) {
      t.trainStep(batches.make(i), 1e-3);
    }
    assertEquals(before, settledPointerCount(), "live JavaCPP pointers (tensors, scalars) after 17 more steps");
    assertEquals(bytesBefore, Pointer.totalBytes());
    batches.close();
  }
}
