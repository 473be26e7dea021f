package io.jdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
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
    return new TrainConfig("synthetic", model, new ScheduleConfig("linear", 100, 1e-4, 0.05), prediction, "l2", 1.0,
        8, steps, lr, 5, "cosine", 0.01, 0.9, 0.999, 1e-8, 1.0, 0.9, true, true, 0.2, 42, precision, 2,
        1, 4, 10, 0);
  }

  private static UNetConfig microWithDropout(int classes) {
    UNetConfig m = TestTorch.micro(classes);
    return new UNetConfig(m.inChannels(), m.imageSize(), m.baseChannels(), m.channelMults(), m.numResBlocks(),
        m.attentionResolutions(), m.heads(), 0.1, m.groups(), m.numClasses());
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
    TrainConfig k = config(TestTorch.micro(0), 12, 1e-3, "eps", "fp32");
    TrainConfig cfg = new TrainConfig(k.data(), k.model(), k.schedule(), k.prediction(), k.loss(), k.huberDelta(),
        k.batchSize(), k.steps(), k.lr(), k.warmupSteps(), k.lrSchedule(), k.weightDecay(), k.adamBeta1(), k.adamBeta2(),
        k.adamEps(), k.gradClip(), k.emaDecay(), k.emaWarmup(), k.flip(), k.classDropout(), k.seed(), k.precision(),
        k.threads(), k.logEvery(), k.checkpointEvery(), 2, k.sampleEvery()); // keep the newest 2
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

  @Test
  void liveNativeObjectsStayConstantAcrossSteps(@TempDir Path dir) throws Exception {
    TrainConfig cfg = config(TestTorch.micro(2), 40, 1e-3, "eps", "bf16");
    Trainer t = new Trainer(cfg, new SyntheticImages(16, 8), dir, false, true);
    Batches batches = new Batches(new SyntheticImages(16, 8), 8, 1, true, 0.1, true);
    for (int i = 0; i < 3; i++) {
      t.trainStep(batches.make(i), 1e-3); // warm-up
    }
    long before = Pointer.totalCount();
    long bytesBefore = Pointer.totalBytes();
    for (int i = 3; i < 20; i++) {
      t.trainStep(batches.make(i), 1e-3);
    }
    assertEquals(before, Pointer.totalCount(), "live JavaCPP pointers (tensors, scalars) after 17 more steps");
    assertEquals(bytesBefore, Pointer.totalBytes());
    batches.close();
  }
}
