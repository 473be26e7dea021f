package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NaN and infinity never get in through options, and a diverging run stops before applying them. */
class NonFiniteCliTest {
  private static final String[] MICRO = {"--image-size", "8", "--base-channels", "8", "--channel-mults", "1,2",
      "--attention-res", "4", "--groups", "4", "--heads", "2", "--timesteps", "50", "--batch-size", "8",
      "--threads", "2", "-q", "--final-samples", "0", "--no-pictures"};

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void nonFiniteNumbersAreRejectedAsOptions(@TempDir Path dir) {
    assertCleanError(run("train", "--lr", "Infinity", "--dry-run"), "'Infinity' is not a finite number");
    assertCleanError(run("train", "--lr", "NaN", "--dry-run"), "'NaN' is not a finite number");
    assertCleanError(run("train", "--ema-decay", "-Infinity", "--dry-run"), "not a finite number");
    assertCleanError(run("sample", "--eta", "NaN", "-n", "1", "--out", dir.resolve("a.png").toString()),
        "'NaN' is not a finite number");
    assertCleanError(run("sample", "--guidance", "Infinity", "-n", "1", "--out", dir.resolve("a.png").toString()),
        "not a finite number");
    assertCleanError(run("train", "--on-nonfinite", "ignore", "--dry-run"), "expected stop or skip");
    assertCleanError(run("train", "--lr", "1e38", "--dry-run"), "learning rate must be <= 1e30");
  }

  @Test
  void aDivergingRunStopsWithExitThreeAndKeepsItsLastGoodCheckpoint(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    // lr 1e30: the first step makes weights of ~1e30, the forward pass of the second overflows
    CliTest.Run r = run(CliTest.concat(new String[] {"train", "--out", runDir.toString(), "--steps", "6", "--lr", "1e30",
        "--warmup", "0", "--grad-clip", "0", "--checkpoint-every", "1", "--log-every", "1"}, MICRO));
    assertEquals(ExitCode.NOT_FINITE, r.code(), r.err());
    List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.get(0).matches("error: step \\d of 6: loss .*, gradient norm .*; the step was not applied and "
        + "training stopped; the newest checkpoint, .*step-000000\\d.safetensors, holds the last good state"), errors.get(0));
    assertFalse(r.err().contains("\tat "), r.err());
    // every checkpoint on disk loads (the reader refuses non-finite tensors) and none is past the failed step
    int failed = Integer.parseInt(errors.get(0).replaceAll("error: step (\\d) .*", "$1"));
    List<Path> all = Checkpoint.list(runDir);
    assertFalse(all.isEmpty());
    for (Path p : all) {
      assertTrue(Checkpoint.load(p).step() < failed, p.toString());
    }
    assertFalse(Files.exists(runDir.resolve("weights.safetensors")), "no weights exported from a failed run");
  }
}
