package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.concat;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.train.Checkpoint;
import io.jdiffusion.train.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run directory has one writer, never replaces a user's files, and resumes only as itself. */
class RunDirectoryTest {
  private static final String[] MICRO = {"--image-size", "8", "--base-channels", "8", "--channel-mults", "1,2",
      "--attention-res", "4", "--groups", "4", "--heads", "2", "--timesteps", "50", "--batch-size", "8",
      "--threads", "2", "-q", "--final-samples", "0", "--no-pictures", "--checkpoint-every", "2", "--log-every", "1",
      "--keep-checkpoints", "10"};

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static String[] train(Path out, int steps) {
    return concat(new String[] {"train", "--out", out.toString(), "--steps", Integer.toString(steps)}, MICRO);
  }

  @Test
  void aNewRunNeverWritesIntoAUsersFolderOrTheEmptyPath(@TempDir Path dir) throws Exception {
    assertCleanError(run("train", "--out", "", "--steps", "1"), "must not be empty");
    Path mine = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(mine.resolve("config.json"), "{\"my\": \"own\"}");
    Files.writeString(mine.resolve("metrics.csv"), "precious");
    assertCleanError(run(train(mine, 1)), "is not empty (config.json, metrics.csv) and holds no run");
    assertEquals("{\"my\": \"own\"}", Files.readString(mine.resolve("config.json")));
    assertEquals("precious", Files.readString(mine.resolve("metrics.csv")));
    assertEquals(2, Files.list(mine).count(), "nothing written, not even a lock");
  }

  @Test
  void aSecondTrainerRefusesAndAStaleLockIsTakenOver(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    try (RunLock held = RunLock.acquire(runDir, s -> { })) {
      assertCleanError(run(train(runDir, 2)), "is in use by another training process (pid ");
    }
    // a lock file left behind by a process that died: its content remains, its OS lock does not
    Files.writeString(runDir.resolve(RunLock.FILE), "pid 999999 on elsewhere, since 2026-01-01T00:00:00Z");
    CliTest.Run r = run(train(runDir, 2));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("taking over the lock of a training process that is no longer running (pid 999999"),
        r.err());
    assertEquals("", Files.readString(runDir.resolve(RunLock.FILE)), "released at the end");
  }

  @Test
  void resumeRefusesConfigurationChangesAndCleansUpAfterACrash(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    assertEquals(0, run(train(runDir, 6)).code());
    CliTest.Run bad = run("train", "--resume", runDir.toString(), "--lr", "0.5", "--batch-size", "8", "--steps", "8");
    assertCleanError(bad, "--lr, --batch-size would change it");
    assertCleanError(run("train", "--resume", runDir.toString(), "--out", dir.resolve("elsewhere").toString()), "--out");

    // what a kill after step 6's metrics row but before its checkpoint leaves: rows past the newest
    // checkpoint, and a temporary file of an interrupted write
    Files.delete(Checkpoint.pathFor(runDir, 6));
    Path tmp = runDir.resolve("checkpoints").resolve(".step-0000006.safetensors12345.tmp");
    Files.write(tmp, new byte[100]);
    CliTest.Run r = run("train", "--resume", runDir.toString(), "--steps", "8", "--threads", "1", "-q", "--no-pictures",
        "--final-samples", "0");
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(tmp), "stale temporary removed");
    List<String> rows = Files.readAllLines(runDir.resolve("metrics.csv"));
    List<Long> steps = rows.subList(1, rows.size()).stream().map(l -> Long.parseLong(l.split(",")[0])).toList();
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), steps, "no duplicate or backward steps");
  }

  @Test
  void aCorruptNewestCheckpointNamesTheValidOneAndOrderIsNumeric(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    assertEquals(0, run(train(runDir, 4)).code());
    Path newest = Checkpoint.pathFor(runDir, 4);
    byte[] b = Files.readAllBytes(newest);
    b[b.length - 3] ^= 0x40;
    Files.write(newest, b);
    assertCleanError(run("train", "--resume", runDir.toString(), "--steps", "6"),
        "the newest valid checkpoint is " + Checkpoint.pathFor(runDir, 2));
    // numeric order: step 10 000 000 is newer than step 9 999 999
    Files.copy(Checkpoint.pathFor(runDir, 2), runDir.resolve("checkpoints/step-9999999.safetensors"));
    Files.copy(Checkpoint.pathFor(runDir, 2), runDir.resolve("checkpoints/step-10000000.safetensors"));
    List<Path> all = Checkpoint.list(runDir);
    assertEquals("step-10000000.safetensors", all.get(all.size() - 1).getFileName().toString());
  }

  @Test
  void resumeTakesTheNewestCheckpointFileAndTheRunsSessionFlags(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    assertEquals(0, run(train(runDir, 4)).code()); // -q --no-pictures --final-samples 0
    assertCleanError(run("train", "--resume", Checkpoint.pathFor(runDir, 2).toString(), "--steps", "6"),
        "is not the newest checkpoint of");
    assertCleanError(run("train", "--resume", runDir.resolve("metrics.csv").toString()), "not a checkpoint of a run");
    // only --steps: the run's --no-pictures, --final-samples 0 and -q hold
    CliTest.Run r = run("train", "--resume", Checkpoint.pathFor(runDir, 4).toString(), "--steps", "6");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(Checkpoint.pathFor(runDir, 6)));
    assertFalse(Files.exists(runDir.resolve("report.html")), "--no-pictures remembered");
    assertFalse(Files.exists(runDir.resolve("samples/final.png")), "--final-samples 0 remembered");
    assertFalse(r.err().contains("["), "-q remembered: no progress bar");
  }
}
