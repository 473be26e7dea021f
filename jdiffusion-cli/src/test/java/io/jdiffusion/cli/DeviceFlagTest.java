package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jdiffusion.TestTorch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --device on every command that computes, and a clean line for a device the machine lacks. */
class DeviceFlagTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void everyCommandThatComputesTakesDevice() {
    CommandLine cli = new CommandLine(new Main());
    TreeSet<String> with = new TreeSet<>();
    collect(cli, with);
    assertEquals(new TreeSet<>(List.of("doctor", "evaluate", "img2img", "inpaint", "interpolate", "pictures", "sample", "serve", "strip",
        "train", "train-classifier", "train-worker")), with);
  }

  private static void collect(CommandLine c, TreeSet<String> with) {
    for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().findOption("--device") != null) {
        with.add(e.getKey());
      }
      collect(e.getValue(), with);
    }
  }

  @Test
  void aDeviceThatIsNotThereIsOneLineBeforeAnyWork(@TempDir Path dir) {
    assertCleanError(run("sample", "-n", "1", "--device", "tpu", "-o", dir.resolve("a.png").toString()),
        "--device must be cpu, cuda or cuda:N, got 'tpu'");
    assumeTrue(!torch.cuda_is_available(), "this machine has a GPU");
    assertCleanError(run("sample", "-n", "1", "--device", "cuda", "-o", dir.resolve("a.png").toString()),
        "device cuda:0 is not available");
    assertCleanError(run("train", "--device", "cuda:1", "--steps", "1", "--out", dir.resolve("run").toString()),
        "device cuda:1 is not available");
    assertFalse(Files.exists(dir.resolve("a.png")));
    assertFalse(Files.exists(dir.resolve("run")), "refused before the run directory is made");
  }
}
