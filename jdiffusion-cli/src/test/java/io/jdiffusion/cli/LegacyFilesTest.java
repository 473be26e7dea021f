package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.store.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run directories written by the first file format (src/test/resources/io/jdiffusion/legacy) still work. */
class LegacyFilesTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** A writable copy of the checked-in run directory. */
  static Path legacyRun(Path dir) throws Exception {
    Path src = Path.of(LegacyFilesTest.class.getResource("/io/jdiffusion/legacy/run-v1").toURI());
    Path dst = dir.resolve("run-v1");
    try (Stream<Path> files = Files.walk(src)) {
      for (Path p : files.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return dst;
  }

  @Test
  void oldRunsLoadTheirExactWeightsSampleAndResume(@TempDir Path dir) throws Exception {
    Path runDir = legacyRun(dir);
    // the EMA weights of the old checkpoint and the old weights file load bit for bit
    Safetensors.Contents weights = Safetensors.read(runDir.resolve("weights.safetensors"));
    for (Path source : new Path[] {runDir, runDir.resolve("weights.safetensors")}) {
      TrainedModel m = TrainedModel.load(source, true);
      assertEquals(10, m.config().numClasses());
      assertEquals("Trouser", m.classNames().get(1));
      try (PointerScope scope = new PointerScope()) {
        for (var e : m.net().parameters().entrySet()) {
          assertArrayEquals(weights.tensors().get(e.getKey()).values(), Torch.toFloats(e.getValue()), e.getKey());
        }
      }
    }
    CliTest.Run s = run("sample", runDir.toString(), "-n", "2", "--steps", "3", "--class", "1", "--out",
        dir.resolve("s.png").toString(), "-q");
    assertEquals(0, s.code(), s.err());
    CliTest.Run w = run("sample", runDir.resolve("weights.safetensors").toString(), "-n", "2", "--steps", "3",
        "--out", dir.resolve("w.png").toString(), "-q");
    assertEquals(0, w.code(), w.err());
    CliTest.Run r = run("train", "--resume", runDir.toString(), "--steps", "4", "-q", "--no-pictures",
        "--final-samples", "0");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(runDir.resolve("checkpoints/step-0000004.safetensors")));
  }
}
