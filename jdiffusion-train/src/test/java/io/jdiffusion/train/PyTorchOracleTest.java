package io.jdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch as the oracle (GUIDE.md): the same U-Net, the same weights and the same inputs must give
 * the same losses and gradient norms, step after step, through backward, clipping and AdamW. Needs
 * Debian's python3-torch; .ci/run installs it, and the test fails rather than skips without it.
 */
class PyTorchOracleTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void javaTrainingStepsReproducePyTorchLosses(@TempDir Path dir) throws Exception {
    UNetConfig unet = UNetConfig.builder().imageSize(8).baseChannels(16).channelMults(List.of(1, 2)).numResBlocks(2)
        .attentionResolutions(List.of(4)).heads(2).build();
    TrainConfig cfg = TrainConfig.builder().data("synthetic").model(unet)
        .schedule(io.jdiffusion.schedule.ScheduleConfig.linear(100, 1e-4, 0.05)).batchSize(8).steps(6).lr(3e-3)
        .warmupSteps(2).weightDecay(0.01).gradClip(0.5).emaDecay(0.9).classDropout(0).threads(2).logEvery(1)
        .checkpointEvery(1000).keepCheckpoints(1).sampleEvery(0).build();
    Trainer trainer = new Trainer(cfg, new SyntheticImages(8, 8), dir.resolve("run"), false, true);
    NoiseSchedule s = cfg.schedule().build();
    Map<String, Safetensors.Entry> trace = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      for (var e : trainer.model().parameters().entrySet()) {
        trace.put("init." + e.getKey(), new Safetensors.Entry(Torch.shape(e.getValue()), Torch.toFloats(e.getValue())));
      }
    }
    SplittableRandom rng = new SplittableRandom(11);
    List<Double> lrs = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    List<Double> norms = new ArrayList<>();
    for (int k = 0; k < cfg.steps(); k++) {
      try (PointerScope scope = new PointerScope()) {
        torch.manual_seed(100 + k);
        Tensor x0 = torch.rand(new long[] {8, 1, 8, 8}).mul(Torch.s(2)).sub(Torch.s(1));
        Tensor eps = torch.randn(8, 1, 8, 8);
        int[] t = new int[8];
        float[] tf = new float[8];
        for (int i = 0; i < 8; i++) {
          t[i] = rng.nextInt(100);
          tf[i] = t[i];
        }
        trace.put("step" + k + ".x0", new Safetensors.Entry(new long[] {8, 1, 8, 8}, Torch.toFloats(x0)));
        trace.put("step" + k + ".eps", new Safetensors.Entry(new long[] {8, 1, 8, 8}, Torch.toFloats(eps)));
        trace.put("step" + k + ".t", new Safetensors.Entry(new long[] {8}, tf));
        double lr = cfg.lrSchedule().at(k, cfg.steps(), cfg.lr(), cfg.warmupSteps());
        lrs.add(lr);
        Trainer.StepResult r = trainer.optimize(x0, eps, t, null, lr);
        losses.add(r.loss());
        norms.add(r.gradNorm());
      }
    }
    double[] alphaBar = new double[s.steps()];
    for (int i = 0; i < alphaBar.length; i++) {
      alphaBar[i] = s.alphaBar(i);
    }
    Map<String, Object> train = new LinkedHashMap<>();
    train.put("lr", lrs);
    train.put("beta1", cfg.adamBeta1());
    train.put("beta2", cfg.adamBeta2());
    train.put("eps", cfg.adamEps());
    train.put("weightDecay", cfg.weightDecay());
    train.put("clip", cfg.gradClip());
    train.put("alphaBar", alphaBar);
    Path file = dir.resolve("trace.safetensors");
    Safetensors.write(file, trace, Map.of("unet", Json.write(unet), "train", Json.write(train), "seed", "0"), false);

    Process p = new ProcessBuilder("/usr/bin/python3", io.jdiffusion.TestTorch.repoRoot().resolve("bench/oracle_train.py").toString(), file.toString())
        .redirectError(dir.resolve("py.err").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "python3 with torch is required (apt-get install python3-torch): "
        + Files.readString(dir.resolve("py.err")));
    JsonNode py = Json.mapper().readTree(out);
    for (int k = 0; k < cfg.steps(); k++) {
      double pl = py.get("losses").get(k).asDouble();
      double pn = py.get("grad_norms").get(k).asDouble();
      assertEquals(pl, losses.get(k), 1e-4 * pl, "loss at step " + k + " (PyTorch " + py.get("torch") + ")");
      assertEquals(pn, norms.get(k), 1e-3 * pn, "gradient norm at step " + k);
    }
    assertTrue(losses.get(cfg.steps() - 1) < losses.get(0), "the trace trains: " + losses);
    // same seed, same creation order, same default init: PyTorch draws bit-identical weights
    assertEquals(0.0, py.get("init_max_diff").asDouble(), "initial weights differ from PyTorch's under the same seed");
    System.out.println("oracle: java " + losses + " pytorch " + py.get("losses") + " init diff " + py.get("init_max_diff"));
  }
}
