package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jdiffusion.TestTorch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command lines that used to exit 0, fail late or overflow: each is one error line and exit 2, before any work. */
class BadInputTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void outOfRangeNumbersAreRefusedUpFront() {
    assertCleanError(run("sample", "--threads", "-1", "-n", "1", "--dry-run"), "threads must be between 0");
    assertCleanError(run("train", "--final-samples", "-1", "--dry-run"), "--final-samples must be between 0 and 10000");
    assertCleanError(run("train", "--attention-res", "999", "--dry-run"),
        "attention resolution 999 is not one of the model's resolutions [28, 14, 7]");
    assertCleanError(run("train", "--channels", "2", "--dry-run"), "--channels must be 1 (grey) or 3 (RGB)");
    assertCleanError(run("train", "--timesteps", "2000000000", "--dry-run"), "between 2 and 100000");
    assertCleanError(run("train", "--batch-size", "2000000000", "--dry-run"), "between 1 and 65536");
    assertCleanError(run("train", "--image-size", "65536", "--dry-run"), "imageSize must be between 4 and 1024");
    assertCleanError(run("sample", "-n", "2000000000", "--dry-run"), "--num must be between 1 and 100000");
    assertCleanError(run("sample", "--steps", "2000000000", "-n", "1", "--dry-run"), "between 1 and 100000");
  }

  @Test
  void outputLocationsAreCheckedBeforeSampling(@TempDir Path dir) throws Exception {
    assertCleanError(run("sample", "-n", "1", "--out", dir.resolve("x.jpg").toString()),
        "only PNG files are written; give a name ending in .png");
    assertFalse(Files.exists(dir.resolve("x.jpg")));
    assertCleanError(run("sample", "-n", "1", "--out", "/proc/x.png"), "cannot write in /proc");
    assertCleanError(run("sample", "-n", "1", "--out", dir.toString() + "/"), "only PNG");
    Path file = Files.writeString(dir.resolve("a-file"), "mine");
    assertCleanError(run("sample", "-n", "1", "--out", dir.resolve("g.png").toString(), "--each", file.toString()),
        "is a file, not a folder");
    assertCleanError(run("sample", "-n", "1", "--out", file.resolve("g.png").toString()), "is a file, not a folder");
    assertCleanError(run("export", "fashion-mnist", "-o", dir.resolve("m.bin").toString()), "ending in .safetensors");
    assertCleanError(run("data", "inspect", "fashion-mnist-subset", "--out", dir.resolve("i.jpg").toString()), "only PNG");
    assertCleanError(run("evaluate", "fashion-mnist", "--ref", "fashion-mnist-subset", "--out", "/proc/m.json"),
        "cannot write in /proc");
    assertCleanError(run("img2img", "fashion-mnist", "--image", file.toString(), "--out", dir.resolve("e.gif").toString()), "only PNG");
  }

  @Test
  void mistypedCommandsAndOptionsGetASuggestionOnTheHintLine() {
    CliTest.Run r = run("smaple", "-n", "1");
    assertCleanError(r, "did you mean 'sample'?");
    assertCleanError(run("sample", "--stesp", "3"), "did you mean '--steps'?");
    // the same option spelling on every command: -o for train too, --num for evaluate too
    org.junit.jupiter.api.Assertions.assertEquals(0, run("train", "-o", "runs/x", "--dry-run").code());
    assertCleanError(run("evaluate", "fashion-mnist", "--ref", "fashion-mnist-subset", "--num", "0"), "--n");
  }
}
