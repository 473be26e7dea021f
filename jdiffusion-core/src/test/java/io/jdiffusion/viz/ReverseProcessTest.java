package io.jdiffusion.viz;

import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.util.Progress;
import java.util.SortedMap;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReverseProcessTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void lastStateIsWhatSampleDraws() {
    torch.manual_seed(5);
    for (int classes : new int[] {0, 3}) {
      TrainedModel m = new TrainedModel(new UNet(TestTorch.micro(classes)), ScheduleConfig.linear(40, 1e-4, 0.05),
          Prediction.EPS);
      for (String sampler : new String[] {"ddim", "ddpm", "dpm++2m"}) {
        SampleOptions o = SampleOptions.builder(Samplers.byName(sampler)).steps(8).spacing(Timesteps.LEADING).seed(11)
            .batch(2).build();
        float[] expected = Generate.images(m, 3, Conditioning.inTurn(m, 3), o, Progress.silent(24));
        SortedMap<Integer, DenoisingTrace.Snapshot> states = ReverseProcess.run(m, 3, o, new int[] {0, 8},
            Progress.silent(24));
        float[] last = states.get(8).xt();
        assertEquals(expected.length, last.length);
        for (int i = 0; i < last.length; i++) {
          float unit = Math.min(1f, Math.max(0f, (last[i] + 1) / 2));
          assertEquals(expected[i], unit, 1e-4, sampler + ", " + classes + " classes, value " + i);
        }
      }
    }
  }

  @Test
  void rejectsStatesOutsideTheRun() {
    TrainedModel m = new TrainedModel(new UNet(TestTorch.micro(0)), ScheduleConfig.linear(40, 1e-4, 0.05),
        Prediction.EPS);
    SampleOptions o = SampleOptions.ddim(5).withBatch(2);
    assertThrows(IllegalArgumentException.class, () -> ReverseProcess.run(m, 2, o, new int[] {6}, Progress.silent(1)));
    assertThrows(IllegalArgumentException.class, () -> ReverseProcess.run(m, 0, o, new int[] {0}, Progress.silent(1)));
  }
}
