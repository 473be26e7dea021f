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
    // a grid too large for one picture is refused before sampling, not after
    assertCleanError(run("sample", "-n", "100000", "--cols", "1", "--label", "-o", "/tmp/never-written.png"),
        "too large for one picture");
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
    assertCleanError(run("evaluate", "model:fashion-mnist", "--ref", "fashion-mnist-subset", "--out", "/proc/m.json"),
        "cannot write in /proc");
    assertCleanError(run("img2img", "fashion-mnist", "--image", file.toString(), "--out", dir.resolve("e.gif").toString()), "only PNG");
  }

  @Test
  void sizesWithoutASaneBoundAreRefusedBeforeAnyWork(@TempDir Path dir) {
    // the model's memory is computed from its options, not found out by allocating it
    assertCleanError(run("train", "--base-channels", "100000", "--dry-run"), "parameters, more than the 1073741824");
    assertCleanError(run("train", "--channel-mults", "1,1000000", "--dry-run"), "parameters, more than");
    assertCleanError(run("train", "--res-blocks", "1000000", "--dry-run"), "numResBlocks must be at most 64");
    assertCleanError(run("train", "--threads", "5000", "--dry-run"), "threads must be between 0 (all cores) and 1024");
    assertCleanError(run("evaluate", "model:fashion-mnist", "--ref", "fashion-mnist-subset", "-n", "2000000000"),
        "at most 100000");
    assertCleanError(run("evaluate", "model:fashion-mnist", "--ref", "fashion-mnist-subset", "--kid-subsets", "2000000000"),
        "--kid-subsets must be between 1 and 10000");
    assertCleanError(run("train-classifier", "--epochs", "1e12"), "at most 10000");
    assertCleanError(run("interpolate", "fashion-mnist", "a.png", "b.png", "--frames", "2000000000"), "at most 1000");
    String strips = dir.resolve("strips").toString();
    assertCleanError(run("pictures", "--frame-ms", "2000000000", "--out", strips, "-q"), "655350 ms");
    assertCleanError(run("pictures", "--forward-every", "5000", "--out", strips, "-q"), "between 1 and T (1000), got 5000");
    assertFalse(Files.exists(dir.resolve("strips")), "refused before the output folder is made");
    assertCleanError(run("data", "inspect", "fashion-mnist-subset", "--image-size", "100000", "--out",
        dir.resolve("i.png").toString()), "image size must be between 1 and 1024");
    // RePaint's schedule is counted before it is built (it used to fill the heap for a minute)
    assertCleanError(run("inpaint", "fashion-mnist", "--image", "a.png", "--mask", "m.png", "--steps", "50",
        "--resample", "50000", "-q"), "network evaluations per image, more than 1000000");
  }

  @Test
  void libtorchsAllocationFailureIsOneLineAndBadInput() {
    RuntimeException e = new RuntimeException("[enforce fail at alloc_cpu.cpp:119] err == 0. DefaultCPUAllocator: can't "
        + "allocate memory: you tried to allocate 72000000000 bytes. Error code 12 (Cannot allocate memory)\n"
        + "frame #0: c10::ThrowEnforceNotMet(char const*, int, char const*) + 0x68 (0x7f2720389af8 in libc10.so)\n");
    org.junit.jupiter.api.Assertions.assertEquals(ExitCode.BAD_INPUT, Main.exitCode(e));
    String m = Main.message(e);
    org.junit.jupiter.api.Assertions.assertEquals("out of memory (can't allocate memory: you tried to allocate "
        + "72000000000 bytes. Error code 12 (Cannot allocate memory)): the requested sizes are too large for this machine;"
        + " ask for less", m);
  }

  @Test
  void optionsThatDoNotApplyOrNameNothingAreRefused(@TempDir Path dir) {
    assertCleanError(run("train", "--class-dropout", "0.5", "--dry-run"), "--class-dropout applies to class-conditional");
    assertCleanError(run("train", "--data", "", "--dry-run"), "'--data': must not be empty ('')");
    assertCleanError(run("data", "inspect", " "), "(NAME|PATH): must not be empty (' ')");
    assertCleanError(run("sample", "--variance", "fixed_large", "--sampler", "ddim", "-n", "1", "--dry-run"),
        "--variance applies to ddpm only");
    org.junit.jupiter.api.Assertions.assertEquals(0,
        run("sample", "--variance", "fixed_large", "--sampler", "ddpm", "-n", "1", "--dry-run").code());
    assertCleanError(run("sample", "-n", "2", "--cols", "5", "--dry-run"), "--cols must be between 1 and --num (2)");
    assertCleanError(run("sample", "", "-n", "1", "--dry-run"), "(MODEL): must not be empty ('')");
    assertCleanError(run("sample", "--sampler", "", "-n", "1", "--dry-run"), "'--sampler': must not be empty ('')");
    assertCleanError(run("sample", "fashion-mnist", "--raw", "-n", "1", "--dry-run"), "raw weights are only in checkpoints");
    assertCleanError(run("sample", "-n", "1", "--out", dir.resolve("g.png").toString(), "--each", ""),
        "'--each': must not be empty ('')");
    assertCleanError(run("export", "fashion-mnist", "-o", ""), "'--out': must not be empty ('')");
    assertCleanError(run("img2img", "fashion-mnist", "--image", dir.toString(), "-q"), "is a folder, not an image file");
  }

  @Test
  void outputsAreCheckedBeforeTheDataOrTheTraining(@TempDir Path dir) throws Exception {
    // each command line also names missing data: the output's error comes first, as nothing is read before it
    String missing = dir.resolve("no-such-folder").toString();
    assertCleanError(run("sample", "-n", "1", "--out", "/"), "only PNG");
    assertCleanError(run("data", "inspect", missing, "--out", dir.resolve("i.jpg").toString()), "only PNG");
    assertCleanError(run("train-classifier", "--data", missing, "--test", missing, "--image-size", "8", "--channels",
        "1", "--out", "/proc/c.safetensors"), "cannot write in /proc");
    assertCleanError(run("train-classifier", "--data", missing, "--out", dir.resolve("c.bin").toString()),
        "only safetensors files are written; give a name ending in .safetensors");
    assertCleanError(run("train", "--data", missing, "--out", "/proc/run"), "cannot write in /proc");
    assertCleanError(run("evaluate", "fashion-mnist-test", "--ref", "fashion-mnist-subset", "--out",
        dir.resolve("m.txt").toString()), "only JSON files are written; give a name ending in .json");
    Path file = Files.writeString(dir.resolve("a-file"), "mine");
    assertCleanError(run("evaluate", "fashion-mnist-test", "--ref", "fashion-mnist-subset", "--cache-dir", file.toString()),
        "--cache-dir: " + file + " is a file, not a folder");
    assertCleanError(run("evaluate", "fashion-mnist-test", "--ref", "fashion-mnist-subset", "--cache-dir",
        dir.resolve("cache").toString(), "--no-cache"), "--cache-dir and --no-cache exclude each other");
    Path run = Files.createDirectories(dir.resolve("run"));
    assertCleanError(run("report", run.toString(), "--out", dir.resolve("r.png").toString()),
        "only HTML files are written; give a name ending in .html or .htm");
    assertCleanError(run("report", run.toString(), "--out", "/proc/r.html"), "cannot write in /proc");
    assertFalse(Files.exists(dir.resolve("r.png")));
  }

  @Test
  void mistypedCommandsAndOptionsGetASuggestionOnTheHintLine() {
    CliTest.Run r = run("smaple", "-n", "1");
    assertCleanError(r, "did you mean 'sample'?");
    assertCleanError(run("sample", "--stesp", "3"), "did you mean '--steps'?");
    // the same option spelling on every command: -o for train too, --num for evaluate too
    org.junit.jupiter.api.Assertions.assertEquals(0, run("train", "-o", "runs/x", "--dry-run").code());
    assertCleanError(run("evaluate", "model:fashion-mnist", "--ref", "fashion-mnist-subset", "--num", "0"), "--n");
  }
}
