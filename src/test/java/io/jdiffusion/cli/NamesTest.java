package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One syntax for names across commands: model:NAME and data:NAME, and no guessing between them. */
class NamesTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void aNameThatIsBothAModelAndADatasetMustSayWhich() {
    assertCleanError(run("evaluate", "mnist", "--ref", "mnist"),
        "'mnist' is both a shipped model and a dataset: write model:mnist to sample from the model, or data:mnist");
    assertCleanError(run("evaluate", "fashion-mnist", "--ref", "fashion-mnist-subset"), "model:fashion-mnist");
  }

  @Test
  void aMistypedNameGetsTheCloseOneAndLeavesNothingBehind(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path run = dir.resolve("run");
    assertCleanError(run("train", "--data", "fashon-mnist", "--steps", "1", "-o", run.toString()),
        "unknown dataset 'fashon-mnist' (no such folder); did you mean 'fashion-mnist'?");
    assertTrue(!java.nio.file.Files.exists(run), "the run directory of a run that never started is removed");
    assertCleanError(run("sample", "fashon-mnist", "-n", "1"), "did you mean 'fashion-mnist'? (a shipped model)");
    assertCleanError(run("sample", "--sampler", "dmp++2m", "-n", "1"), "did you mean 'dpm++2m'?");
  }

  @Test
  void prefixesWorkEverywhereAndTheWrongKindIsRefused() {
    CliTest.Run ok = run("sample", "model:fashion-mnist-cond", "--dry-run");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("\"numClasses\" : 10"), ok.out());
    assertCleanError(run("sample", "data:mnist", "--dry-run"), "'data:mnist' names a dataset; a model is needed here");
    assertCleanError(run("train", "--data", "model:mnist", "--dry-run"), "'model:mnist' names a model; a dataset is needed");
    CliTest.Run data = run("train", "--data", "data:fashion-mnist-subset", "--dry-run");
    assertEquals(0, data.code(), data.err());
  }
}
