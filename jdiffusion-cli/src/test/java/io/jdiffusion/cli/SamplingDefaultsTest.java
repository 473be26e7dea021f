package io.jdiffusion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.pipeline.TrainedModel;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's sampling defaults travel with it: by name, by path, and through a diffusers folder. */
class SamplingDefaultsTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static String describe(TrainedModel m) {
    return m.sampling().toJson() + " guidance " + m.guidance();
  }

  @Test
  void aShippedModelSamplesTheSameWayByNameByPathAndAfterAnExport(@TempDir Path dir) {
    TrainedModel byName = TrainedModel.resolve("mnist", true);
    assertEquals("ddim", byName.sampling().sampler().name());
    assertEquals(50, byName.sampling().steps());
    assertEquals(1.0, byName.sampling().eta());
    Path file = dir.resolve("m.safetensors");
    assertEquals(ExitCode.OK, CliTest.run("export", "mnist", "-o", file.toString()).code());
    assertEquals(describe(byName), describe(TrainedModel.resolve(file.toString(), true)));
    Path folder = dir.resolve("diffusers");
    assertEquals(ExitCode.OK, CliTest.run("export", "mnist", "--diffusers", folder.toString()).code());
    assertEquals(describe(byName), describe(TrainedModel.resolve(folder.toString(), true)),
        "not DDPMPipeline's 1000 steps");
  }

  @Test
  void exportSetsTheDefaultsItStores(@TempDir Path dir) {
    Path file = dir.resolve("f.safetensors");
    CliTest.Run r = CliTest.run("export", "fashion-mnist-cond", "--sampler", "DPM++ 2M Karras", "--steps", "20",
        "--guidance", "3", "-o", file.toString());
    assertEquals(ExitCode.OK, r.code(), r.err());
    TrainedModel m = TrainedModel.resolve(file.toString(), true);
    assertEquals("dpm++2m-karras", m.sampling().sampler().name());
    assertEquals(20, m.sampling().steps());
    assertEquals(3.0, m.guidance());
    Path folder = dir.resolve("d");
    assertEquals(ExitCode.OK, CliTest.run("export", file.toString(), "--diffusers", folder.toString()).code());
    assertEquals(describe(m), describe(TrainedModel.resolve(folder.toString(), true)));
    CliTest.Run bad = CliTest.run("export", "mnist", "--sampler", "lcm", "--steps", "80", "-o",
        dir.resolve("x.safetensors").toString());
    assertEquals(ExitCode.BAD_INPUT, bad.code(), bad.out());
  }
}
