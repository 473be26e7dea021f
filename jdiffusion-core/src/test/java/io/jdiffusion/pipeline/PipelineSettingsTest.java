package io.jdiffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Device;
import io.jdiffusion.nn.Torch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Each pipeline computes with the device and thread count it was loaded with, whatever the process's are. */
class PipelineSettingsTest {
  @Test
  void twoPipelinesOnTwoThreadsKeepTheirOwnThreadCounts() throws Exception {
    TestTorch.init();
    int processThreads = torch.get_num_threads();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (DiffusionPipeline one = DiffusionPipeline.load("fashion-mnist", PipelineSettings.DEFAULT.withThreads(1));
        DiffusionPipeline two = DiffusionPipeline.load("fashion-mnist", PipelineSettings.DEFAULT.withThreads(2))) {
      SampleOptions o = SampleOptions.ddim(3).withSeed(5);
      Future<float[]> a = pool.submit(() -> {
        assertEquals(1, (int) one.run(torch::get_num_threads));
        return one.generate(2, o).pixels();
      });
      Future<float[]> b = pool.submit(() -> {
        assertEquals(2, (int) two.run(torch::get_num_threads));
        return two.generate(2, o).pixels();
      });
      float[] pa = a.get();
      float[] pb = b.get();
      // the same model and seeds: the same images, up to the order of float sums across threads
      assertTrue(TestTorch.maxAbsDiff(pa, pb) < 1e-4, "diff " + TestTorch.maxAbsDiff(pa, pb));
      // a call restores the calling thread's count afterwards
      int before = torch.get_num_threads();
      one.run(() -> null);
      assertEquals(before, torch.get_num_threads());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(processThreads, torch.get_num_threads());
  }

  @Test
  void theDeviceIsTheCallsAndThenTheProcesssAgain() {
    TestTorch.init();
    Device process = Torch.device();
    Device inside = Torch.with(Device.cuda(3), 0, Torch::device);
    assertEquals(Device.cuda(3), inside);
    assertEquals(process, Torch.device());
    assertNull(Torch.with(null, 0, () -> null));
  }

  @Test
  void aDeviceThisMachineLacksIsRefusedAtLoad() {
    TestTorch.init();
    if (torch.cuda_is_available()) {
      return; // a GPU machine has it
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DiffusionPipeline.load("fashion-mnist", PipelineSettings.DEFAULT.withDevice("cuda")));
    assertTrue(e.getMessage().startsWith("device cuda is not available"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PipelineSettings.DEFAULT.withThreads(-1));
    assertThrows(IllegalArgumentException.class, () -> PipelineSettings.DEFAULT.withDevice("tpu"));
  }
}
