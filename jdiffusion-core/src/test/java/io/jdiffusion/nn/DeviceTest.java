package io.jdiffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jdiffusion.TestTorch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The device: its names, the one place that creates tensors, and the refusal of a GPU this build lacks. */
class DeviceTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void namesAreThoseOfPyTorch() {
    assertSame(Device.CPU, Device.parse("cpu"));
    assertEquals(Device.cuda(-1), Device.parse("CUDA"));
    assertEquals(Device.cuda(3), Device.parse("cuda:3"));
    assertEquals("cuda:3", Device.parse("cuda:3").toString());
    assertEquals("cuda", Device.parse("cuda").toString());
    assertEquals("cpu", Device.CPU.toString());
    for (String bad : new String[] {"", "gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1:2", "cuda:99999999", "cpu:0", " "}) {
      assertThrows(IllegalArgumentException.class, () -> Device.parse(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Device.parse(null));
  }

  @Test
  void plainCudaGivesEachLocalProcessItsOwnGpu() {
    assertEquals(Device.cuda(2), Device.parse("cuda").forLocalRank(2));
    assertEquals(Device.cuda(1), Device.parse("cuda:1").forLocalRank(2), "an explicit index stays");
    assertSame(Device.CPU, Device.CPU.forLocalRank(2));
  }

  @Test
  void aGpuThisMachineLacksIsRefusedAndTheCpuStays() {
    assumeTrue(!torch.cuda_is_available(), "this machine has a GPU");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Torch.use(Device.parse("cuda")));
    assertTrue(e.getMessage().startsWith("device cuda is not available: "), e.getMessage());
    assertTrue(e.getMessage().contains(torch.hasCUDA() ? "no NVIDIA GPU" : "mvn -Pcuda"), e.getMessage());
    assertSame(Device.CPU, Torch.device());
  }

  @Test
  void onTheCpuNothingIsCopied() {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Torch.tensor(new float[] {1, 2, 3}, 3);
      assertTrue(t.is_cpu());
      assertSame(t, Torch.onDevice(t));
      assertSame(t, Torch.onCpu(t));
      assertArrayEquals(new float[] {0, 0}, Torch.toFloats(Torch.zeros(2)));
    }
  }

  /**
   * Every tensor of the library is created by {@link Torch} (so that it lands on the chosen device):
   * no other main source calls libtorch's factories directly.
   */
  @Test
  void tensorsAreCreatedInOnePlace() throws IOException {
    Pattern factory = Pattern.compile("\\btorch\\.(empty|zeros|ones|full|randn|rand|randint|randperm|arange|linspace"
        + "|from_blob|tensor|normal|eye)\\(");
    List<String> found = new ArrayList<>();
    for (Path root : io.jdiffusion.TestTorch.mainSourceRoots()) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
          if (p.endsWith(Path.of("nn", "Torch.java"))) {
            continue;
          }
          List<String> lines = Files.readAllLines(p);
          for (int i = 0; i < lines.size(); i++) {
            if (factory.matcher(lines.get(i)).find()) {
              found.add(p + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }

  /**
   * Runs only where this JVM sees a GPU (the -Pcuda build on an NVIDIA machine): the same seed gives the
   * same weights and noise on both devices, and the U-Net's output agrees with the CPU's.
   */
  @Test
  void onAGpuTheModelAgreesWithTheCpu() {
    assumeTrue(torch.cuda_is_available(), "no GPU visible to this JVM (CPU build, or no NVIDIA driver)");
    UNetConfig c = UNetConfig.builder().build();
    float[] cpu;
    float[] gpu;
    float[] cpuWeights;
    float[] gpuWeights;
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(3);
      try (UNet u = new UNet(c)) {
        cpuWeights = Torch.toFloats(u.parameters().values().iterator().next());
        Tensor x = Torch.randn(2, c.inChannels(), c.imageSize(), c.imageSize());
        cpu = Torch.toFloats(u.forward(x, new double[] {10, 500}, null, Forward.EVAL_FP32));
      }
      Torch.use(Device.cuda(0));
      try {
        torch.manual_seed(3);
        try (UNet u = new UNet(c)) {
          Tensor w = u.parameters().values().iterator().next();
          assertTrue(w.is_cuda());
          gpuWeights = Torch.toFloats(w);
          Tensor x = Torch.randn(2, c.inChannels(), c.imageSize(), c.imageSize());
          gpu = Torch.toFloats(u.forward(x, new double[] {10, 500}, null, Forward.EVAL_FP32));
        }
      } finally {
        Torch.use(Device.CPU);
      }
    }
    assertArrayEquals(cpuWeights, gpuWeights, 0f, "initialised on the CPU's generator, then moved");
    double num = 0;
    double den = 0;
    for (int i = 0; i < cpu.length; i++) {
      num += (cpu[i] - gpu[i]) * (double) (cpu[i] - gpu[i]);
      den += cpu[i] * (double) cpu[i];
    }
    assertTrue(Math.sqrt(num / den) < 1e-4, "relative L2 " + Math.sqrt(num / den));
  }
}
