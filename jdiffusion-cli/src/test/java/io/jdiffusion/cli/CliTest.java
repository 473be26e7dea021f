package io.jdiffusion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class CliTest {
  /** Exit code, stdout and stderr of one in-process run. */
  public record Run(int code, String out, String err) {}

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  public static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Bad input: exit 2, one "error:" line (plus at most a usage hint), never a stack trace. */
  public static void assertCleanError(Run r, String mustContain) {
    assertEquals(ExitCode.BAD_INPUT, r.code(), r.err());
    assertFalse(r.err().contains("\tat "), "stack trace printed: " + r.err());
    assertFalse(r.err().contains("Exception"), "exception name printed: " + r.err());
    String[] lines = r.err().strip().split("\n");
    assertTrue(lines.length <= 2, "more than one error line: " + r.err());
    assertTrue(lines[0].startsWith("error: "), r.err());
    assertTrue(r.err().contains(mustContain), "expected '" + mustContain + "' in: " + r.err());
  }

  @Test
  void badOptionsAreOneLineErrorsWithExitTwo(@TempDir Path dir) throws Exception {
    assertCleanError(run("train", "--bogus"), "--bogus");
    assertCleanError(run("train", "--steps", "ten"), "ten");
    assertCleanError(run("train", "--steps", "-3", "--out", dir.resolve("r").toString()), "steps must be >= 1");
    assertCleanError(run("train", "--lr", "0", "--dry-run"), "learning rate");
    assertCleanError(run("train", "--prediction", "noise", "--dry-run"), "prediction type");
    assertCleanError(run("train", "--base-channels", "12", "--dry-run"), "divisible");
    assertCleanError(run("train", "--data", dir.resolve("missing").toString(), "--out", dir.resolve("r").toString()),
        "missing");
    assertCleanError(run("train", "--resume", dir.toString()), "nothing to resume");
    assertCleanError(run("sample", dir.resolve("nope.safetensors").toString()), "nope.safetensors");
    assertCleanError(run("sample", dir.toString()), "no checkpoints");
    Path junk = dir.resolve("junk.safetensors");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    assertCleanError(run("sample", junk.toString()), "junk.safetensors");
  }

  @Test
  void dryRunPrintsTheResolvedConfig() {
    Run r = run("train", "--dry-run", "--steps", "123", "--prediction", "v", "--channel-mults", "1,2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("\"steps\" : 123"), r.out());
    assertTrue(r.out().contains("\"prediction\" : \"v\""), r.out());
    assertTrue(r.out().contains("fashion-mnist-subset"), r.out());
    assertEquals(0, run("train", "--help").code());
    assertTrue(run("sample", "--help").out().contains("fashion-mnist"), "the default model is documented");
    assertEquals(0, run("sample", "--help").code());
  }

  @Test
  void trainThenSampleEndToEnd(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    String[] micro = {"--image-size", "8", "--base-channels", "8", "--channel-mults", "1,2", "--attention-res", "4",
        "--groups", "4", "--heads", "2", "--timesteps", "50", "--batch-size", "8", "--threads", "2", "-q"};
    String[] train = concat(new String[] {"train", "--out", runDir.toString(), "--steps", "3", "--final-samples", "4"}, micro);
    Run t = run(train);
    assertEquals(0, t.code(), t.err());
    assertTrue(Files.exists(runDir.resolve("config.json")));
    assertTrue(Files.exists(runDir.resolve("weights.safetensors")));
    assertTrue(Files.exists(runDir.resolve("samples/final.png")));
    assertCleanError(run(train), "already holds a run");

    Run more = run("train", "--resume", runDir.toString(), "--steps", "5", "-q");
    assertEquals(0, more.code(), more.err());
    assertTrue(Files.exists(runDir.resolve("checkpoints/step-0000005.safetensors")));

    Path grid = dir.resolve("grid.png");
    Run s = run("sample", runDir.toString(), "-n", "6", "--sampler", "ddpm", "--out", grid.toString(),
        "--each", dir.resolve("each").toString(), "--cols", "3", "-q");
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().contains("ddpm 50 steps"), s.out());
    BufferedImage img = ImageIO.read(grid.toFile());
    // 3 columns x 2 rows of 8x8 images drawn 2x with 2 px padding: 3*16 + 4*2 = 56 by 2*16 + 3*2 = 38
    assertEquals(56, img.getWidth());
    assertEquals(38, img.getHeight());
    assertEquals(6, Files.list(dir.resolve("each")).count());
    Run w = run("sample", runDir.resolve("weights.safetensors").toString(), "-n", "2", "--steps", "5",
        "--out", dir.resolve("w.png").toString(), "-q");
    assertEquals(0, w.code(), w.err());
    assertCleanError(run("sample", runDir.toString(), "--steps", "51", "-q"), "[1, 50]");
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
