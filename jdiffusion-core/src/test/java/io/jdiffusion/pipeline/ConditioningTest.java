package io.jdiffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.sampling.ClassifierFreeGuidance;
import io.jdiffusion.sampling.UNetDenoiser;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditioningTest {
  private static final List<String> NAMES = List.of("cat", "Dog", "bird");

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void classesResolveByIndexOrNameAndSurviveExport(@TempDir Path dir) throws Exception {
    TrainedModel m = new TrainedModel(new UNet(TestTorch.micro(3)), ScheduleConfig.defaults(), Prediction.EPS, NAMES);
    assertEquals(2, Conditioning.classIndex(m, "2"));
    assertEquals(1, Conditioning.classIndex(m, "dog"));
    assertEquals(0, Conditioning.classIndex(m, " CAT "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Conditioning.classIndex(m, "3")).getMessage()
        .contains("[0, 2]"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Conditioning.classIndex(m, "fish")).getMessage()
        .contains("cat, Dog, bird"));

    Path file = dir.resolve("w.safetensors");
    m.exportWeights(file, false);
    assertEquals(NAMES, TrainedModel.load(file, true).classNames());

    TrainedModel unnamed = new TrainedModel(m.net(), m.scheduleConfig(), m.prediction());
    assertEquals(1, Conditioning.classIndex(unnamed, "1"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Conditioning.classIndex(unnamed, "dog"))
        .getMessage().contains("no class names"));
    assertThrows(StoreException.class,
        () -> new TrainedModel(m.net(), m.scheduleConfig(), m.prediction(), List.of("a", "b")));
  }

  @Test
  void guidanceOneIsThePlainDenoiserAndUnconditionalModelsRefuseClasses() {
    TrainedModel cond = new TrainedModel(new UNet(TestTorch.micro(3)), ScheduleConfig.defaults(), Prediction.EPS);
    assertInstanceOf(UNetDenoiser.class, Conditioning.denoiser(cond, new int[] {1}, 1, Precision.FP32));
    assertInstanceOf(ClassifierFreeGuidance.class, Conditioning.denoiser(cond, new int[] {1}, 4, Precision.FP32));
    assertThrows(IllegalArgumentException.class, () -> Conditioning.denoiser(cond, new int[] {1}, -1, Precision.FP32));

    TrainedModel uncond = new TrainedModel(new UNet(TestTorch.micro(0)), ScheduleConfig.defaults(), Prediction.EPS);
    assertInstanceOf(UNetDenoiser.class, Conditioning.denoiser(uncond, null, 1, Precision.FP32));
    assertThrows(IllegalArgumentException.class, () -> Conditioning.denoiser(uncond, null, 2, Precision.FP32));
    assertThrows(IllegalArgumentException.class, () -> Conditioning.classIndex(uncond, "0"));
  }

  @Test
  void noLabelsMeanTheUnconditionalModelAndInTurnIsExplicit() {
    TrainedModel m = new TrainedModel(new UNet(TestTorch.micro(3)), ScheduleConfig.linear(20, 1e-4, 0.02),
        Prediction.EPS, NAMES);
    SampleOptions o = SampleOptions.ddim(3).withSeed(5);
    io.jdiffusion.util.Progress quiet = io.jdiffusion.util.Progress.silent(1);
    float[] none = Generate.images(m, 4, null, o, quiet);
    float[] noLabel = Generate.images(m, 4, Conditioning.repeat(3, 4), o, quiet);
    float[] cycled = Generate.images(m, 4, Conditioning.inTurn(m, 4), o, quiet);
    assertEquals(0, TestTorch.maxAbsDiff(none, noLabel), "null labels = the 'no label' row for every image");
    assertTrue(TestTorch.maxAbsDiff(none, cycled) > 1e-4, "classes in turn are asked for explicitly");
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 1, 2, 0}, Conditioning.inTurn(m, 4));
  }
}
