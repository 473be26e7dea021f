package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void aMistypedNameGetsTheCloseOneAndLeavesNothingBehind(@TempDir Path dir) {
    Path run = dir.resolve("run");
    assertCleanError(run("train", "--data", "fashon-mnist", "--steps", "1", "-o", run.toString()),
        "unknown dataset 'fashon-mnist' (no such folder); did you mean 'fashion-mnist'?");
    assertFalse(Files.exists(run), "the run directory of a run that never started is removed");
    assertCleanError(run("sample", "fashon-mnist", "-n", "1"), "did you mean 'fashion-mnist'? (a shipped model)");
    assertCleanError(run("sample", "--sampler", "dmp++2m", "-n", "1"), "did you mean 'dpm++2m'?");
  }

  @Test
  void aRunsCheckpointsFolderNamesTheRun(@TempDir Path dir) throws Exception {
    Path runDir = LegacyFilesTest.legacyRun(dir);
    TrainedModel viaRun = TrainedModel.load(runDir, true);
    TrainedModel viaFolder = TrainedModel.load(runDir.resolve("checkpoints"), true);
    try (PointerScope scope = new PointerScope()) {
      var a = viaRun.net().parameters();
      var b = viaFolder.net().parameters();
      assertEquals(a.keySet(), b.keySet());
      for (String k : a.keySet()) {
        assertArrayEquals(Torch.toFloats(a.get(k)), Torch.toFloats(b.get(k)), k);
      }
    }
    CliTest.Run s = run("sample", runDir.resolve("checkpoints").toString(), "--dry-run");
    assertEquals(0, s.code(), s.err());
  }

  @Test
  void aMissingReferenceIsReportedBeforeSampling(@TempDir Path dir) {
    // 500 images of 1000 steps would take minutes: the missing reference must stop it first
    assertCleanError(run("evaluate", "model:fashion-mnist", "--ref", "mnist:" + dir.resolve("nothing"), "-n", "500",
        "--sampler", "ddpm", "-o", dir.resolve("m.json").toString()), "nothing");
    assertCleanError(run("evaluate", "model:fashion-mnist", "--ref", "fashion-mnist-subset", "-n", "3", "--k", "3"),
        "--k must be less than --n");
    assertFalse(Files.exists(dir.resolve("m.json")));
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
