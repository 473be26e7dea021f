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
  void aDiffusersExportLoadsBackAsTheSameModelThroughEveryCommandsResolve(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("mnist-diffusers");
    CliTest.Run r = run("export", "mnist", "--diffusers", out.toString());
    assertEquals(ExitCode.OK, r.code(), r.err());
    for (String f : new String[] {"config.json", "diffusion_pytorch_model.safetensors", "model_index.json",
        "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "scheduler/scheduler_config.json"}) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    TrainedModel shipped = TrainedModel.resolve("mnist", true);
    TrainedModel back = TrainedModel.resolve(out.toString(), true);
    assertEquals(shipped.scheduleConfig(), back.scheduleConfig());
    assertEquals(shipped.prediction(), back.prediction());
    assertEquals(shipped.config().numClasses(), back.config().numClasses());
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      var x = org.bytedeco.pytorch.global.torch.randn(2, 1, 28, 28);
      int[] labels = {7, 10}; // a digit and "no label"
      float[] a = io.jdiffusion.nn.Torch.toFloats(shipped.net().forward(x, new double[] {3, 700}, labels,
          io.jdiffusion.nn.Forward.EVAL_FP32));
      float[] b = io.jdiffusion.nn.Torch.toFloats(back.net().forward(x, new double[] {3, 700}, labels,
          io.jdiffusion.nn.Forward.EVAL_FP32));
      assertEquals(0.0, TestTorch.maxAbsDiff(a, b));
    }
    assertCleanError(run("export", "mnist", "--diffusers", out.toString(), "--bf16"), "do not apply");
    // a folder that holds files already (here, the export itself) is replaced only with --force
    long before = Files.getLastModifiedTime(out.resolve("config.json")).toMillis();
    assertCleanError(run("export", "fashion-mnist", "--diffusers", out.toString()), "is not empty");
    assertEquals(before, Files.getLastModifiedTime(out.resolve("config.json")).toMillis());
    assertEquals(ExitCode.OK, run("export", "mnist", "--diffusers", out.toString(), "--force").code());
  }

  @Test
  void exportingAShippedModelInBf16ReproducesItsFileByteForByte(@TempDir Path dir) throws Exception {
    // The shipped file is itself a bf16 export, and bf16 -> float -> bf16 is exact: same bytes, same
    // pinned sha256 (Pretrained.FASHION_MNIST).
    Path out = dir.resolve("f.safetensors");
    CliTest.Run r = run("export", "fashion-mnist", "--bf16", "-o", out.toString());
    assertEquals(ExitCode.OK, r.code(), r.err());
    String sha = Sha256.hex(Files.readAllBytes(out));
    assertEquals("e047697db02e08b1c02f8d9e54988aacb5c983a06e1dfc87907a2411f8259355", sha);
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
