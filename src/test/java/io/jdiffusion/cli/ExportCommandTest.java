package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.store.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void exportingAShippedModelInBf16ReproducesItsFileByteForByte(@TempDir Path dir) throws Exception {
    // The shipped file is itself a bf16 export, and bf16 -> float -> bf16 is exact: same bytes, same
    // pinned sha256 (Pretrained.FASHION_MNIST).
    Path out = dir.resolve("f.safetensors");
    CliTest.Run r = run("export", "fashion-mnist", "--bf16", "-o", out.toString());
    assertEquals(ExitCode.OK, r.code(), r.err());
    String sha = Sha256.hex(Files.readAllBytes(out));
    assertEquals("48821b6688502bcb66ffeb6748cbcb50182ccd3e8a600f040594ca3d8b4a5dec", sha);
    assertTrue(r.out().contains(sha), r.out());
    // float32: twice the tensor bytes, and it loads back as the same model
    Path f32 = dir.resolve("f32.safetensors");
    assertEquals(ExitCode.OK, run("export", out.toString(), "-o", f32.toString()).code());
    assertTrue(Files.size(f32) > 1.9 * Files.size(out));
    assertEquals(1_112_801, TrainedModel.load(f32, true).net().parameterCount());
  }

  @Test
  void badInputIsOneLine(@TempDir Path dir) {
    assertCleanError(run("export", dir.resolve("missing").toString(), "-o", dir.resolve("x.safetensors").toString()),
        "missing");
    assertCleanError(run("export", "fashion-mnist", "-o", dir.resolve("x").toString()), "ending in .safetensors");
    assertCleanError(run("export", "fashion-mnist", "-o", dir.toString()), "is a directory");
    assertCleanError(run("export", "fashion-mnist"), "--out");
  }
}
