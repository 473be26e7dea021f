package io.jdiffusion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdiffusion.TestTorch;
import io.jdiffusion.model.ModelFile;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.train.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted model files never load: single-bit flips anywhere (header, metadata, data), truncations,
 * and edits of the header text that keep it valid JSON, each on a weights file and a checkpoint of a
 * micro run; a sample of them through the command line ends in one error line and exit 2.
 */
class ModelFileFuzzTest {
  private static final String[] MICRO = {"--image-size", "8", "--base-channels", "8", "--channel-mults", "1,2",
      "--attention-res", "4", "--groups", "4", "--heads", "2", "--timesteps", "50", "--batch-size", "8",
      "--threads", "2", "-q", "--final-samples", "0", "--no-pictures", "--class-conditional"};

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void everyCorruptionOfAWeightsFileOrCheckpointIsRefused(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    CliTest.Run t = CliTest.run(CliTest.concat(new String[] {"train", "--out", runDir.toString(), "--steps", "1"}, MICRO));
    assertEquals(0, t.code(), t.err());
    SplittableRandom rnd = new SplittableRandom(15);
    int cases = 0;
    int edited = 0;
    for (Path original : new Path[] {runDir.resolve("weights.safetensors"), Checkpoint.pathFor(runDir, 1)}) {
      byte[] good = Files.readAllBytes(original);
      int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(good, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      Path bad = dir.resolve("bad.safetensors");
      for (int i = 0; i < 400; i++) {
        byte[] b = good.clone();
        // half the flips in the header (where 6% went undetected before the whole-file checksum)
        int at = i % 2 == 0 ? rnd.nextInt(headerEnd) : rnd.nextInt(good.length);
        b[at] ^= (byte) (1 << rnd.nextInt(8));
        cases += refused(bad, b, "bit " + at);
      }
      for (int i = 0; i < 30; i++) {
        cases += refused(bad, Arrays.copyOf(good, rnd.nextInt(good.length)), "truncated");
      }
      String header = new String(good, 8, headerEnd - 8, StandardCharsets.ISO_8859_1);
      String[][] edits = {
          {"\"checksum\"", "\"checksun\""}, // no whole-file checksum: refused for a version-2 file
          {"\"sha256\"", "\"sha257\""},
          {"\\\"prediction\\\" : \\\"eps\\\"", "\\\"prediction\\\" : \\\"v\\\""},
          {"\\\"betaEnd\\\" : 0.02", "\\\"betaEnd\\\" : 0.03"},
          {"\\\"imageSize\\\" : 8", "\\\"imageSize\\\" : 9"},
          {"\\\"attentionResolutions\\\" : [ 4 ]", "\\\"attentionResolutions\\\" : [ 5 ]"},
          {"\"data_offsets\" : [ 0,", "\"data_offsets\" : [ 4,"},
      };
      for (String[] e : edits) {
        String h = header.replaceFirst(java.util.regex.Pattern.quote(e[0]), java.util.regex.Matcher.quoteReplacement(e[1]));
        if (h.length() != header.length()) { // same length: the header length field stays right
          h = h.length() < header.length() ? h + " ".repeat(header.length() - h.length()) : h;
        }
        if (h.equals(header) || h.length() != header.length()) {
          continue; // the pattern is not in this file
        }
        byte[] b = good.clone();
        System.arraycopy(h.getBytes(StandardCharsets.ISO_8859_1), 0, b, 8, h.length());
        cases += refused(bad, b, "edit " + e[0]);
        edited++;
      }
    }
    assertTrue(cases > 850, cases + " corruptions tried");
    assertEquals(14, edited, "every header edit found its pattern in both files");
    // through the command line: one error line, exit 2
    byte[] b = Files.readAllBytes(runDir.resolve("weights.safetensors"));
    b[100] ^= 1;
    Path bad = dir.resolve("cli.safetensors");
    Files.write(bad, b);
    CliTest.assertCleanError(CliTest.run("sample", bad.toString(), "-n", "1", "--out", dir.resolve("x.png").toString()),
        "cli.safetensors");
    CliTest.assertCleanError(CliTest.run("export", bad.toString(), "-o", dir.resolve("y.safetensors").toString()),
        "checksum");
    assertTrue(!Files.exists(dir.resolve("y.safetensors")), "a corrupt file is never exported with a fresh checksum");
  }

  /**
   * Files that verify (rewritten with fresh checksums) but describe something impossible: a model too
   * large for memory is refused from its description, before any allocation; a checkpoint whose step
   * is negative is refused for sampling as for resuming; raw weights are not taken from a weights file.
   */
  @Test
  void verifiedFilesWithImpossibleContentAreRefused(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    CliTest.Run t = CliTest.run(CliTest.concat(new String[] {"train", "--out", runDir.toString(), "--steps", "1"}, MICRO));
    assertEquals(0, t.code(), t.err());
    Path weights = runDir.resolve("weights.safetensors");
    Safetensors.Contents w = Safetensors.read(weights);
    for (String[] edit : new String[][] {{"\"baseChannels\" : 8", "\"baseChannels\" : 100000"},
        {"\"numResBlocks\" : 1", "\"numResBlocks\" : 1000000"}, {"\"numClasses\" : 10", "\"numClasses\" : 2000000000"}}) {
      Map<String, String> meta = new LinkedHashMap<>(w.metadata());
      String model = meta.get(ModelFile.MODEL_KEY);
      assertTrue(model.contains(edit[0]), model);
      meta.put(ModelFile.MODEL_KEY, model.replace(edit[0], edit[1]));
      Path huge = dir.resolve("huge.safetensors");
      Safetensors.write(huge, w.tensors(), meta, false);
      StoreException e = assertThrows(StoreException.class, () -> TrainedModel.load(huge, true), edit[1]);
      assertTrue(e.getMessage().startsWith(huge + ": unreadable model description"), e.getMessage());
    }

    Path ckpt = Checkpoint.pathFor(runDir, 1);
    Safetensors.Contents c = Safetensors.read(ckpt);
    for (String[] steps : new String[][] {{"-6", "0"}, {"1", "2"}, {"x", "0"}}) {
      Map<String, String> meta = new LinkedHashMap<>(c.metadata());
      meta.put("step", steps[0]);
      meta.put("optimizer_steps", steps[1]);
      Path bad = dir.resolve("bad-" + steps[0]).resolve("checkpoints").resolve("step-0000001.safetensors");
      Files.createDirectories(bad.getParent());
      Safetensors.write(bad, c.tensors(), meta, false);
      StoreException e = assertThrows(StoreException.class, () -> TrainedModel.load(bad, true));
      assertTrue(e.getMessage().contains("unreadable checkpoint metadata"), e.getMessage());
      CliTest.assertCleanError(CliTest.run("sample", bad.getParent().getParent().toString(), "-n", "1", "--steps", "1",
          "--out", dir.resolve("s.png").toString(), "-q"), "unreadable checkpoint metadata");
    }
    assertTrue(!Files.exists(dir.resolve("s.png")));

    CliTest.assertCleanError(CliTest.run("sample", weights.toString(), "--raw", "-n", "1", "--dry-run"),
        "is a weights file, which holds one set of weights");
    CliTest.assertCleanError(CliTest.run("export", "fashion-mnist", "--raw", "-o", dir.resolve("e.safetensors").toString()),
        "raw weights are only in checkpoints");
    assertEquals(0, CliTest.run("sample", runDir.toString(), "--raw", "-n", "1", "--dry-run").code(),
        "a run's checkpoint holds raw weights");
  }

  /** Writes {@code bytes} and asserts that loading them fails with a StoreException; returns 1. */
  private static int refused(Path file, byte[] bytes, String what) throws Exception {
    Files.write(file, bytes);
    try {
      TrainedModel.load(file, true);
      fail(what + ": a corrupt file loaded");
    } catch (StoreException expected) {
      assertTrue(expected.getMessage().startsWith(file.toString()), what + ": " + expected.getMessage());
    } catch (IllegalArgumentException e) {
      fail(what + ": not a clean store error: " + e);
    }
    return 1;
  }
}
