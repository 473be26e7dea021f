package io.jdiffusion.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The two halves of checks that diffusers' own code finishes (scripts/diffusers_check.py), run by
 * hand, not in CI:
 *
 * <ul>
 *   <li>{@code -Djdiffusion.export.check=DIR}: writes {@code export --diffusers} folders (the shipped
 *       mnist model and a random multi-head U-Net) with jdiffusion's forward on fixed inputs in
 *       io.safetensors, for the script's {@code export} check to load with UNet2DModel and compare;
 *   <li>{@code -Djdiffusion.big=true}: loads the google/ddpm-cifar10-32 architecture (35.7 M
 *       parameters, random weights) that the script's {@code big} check saved with diffusers' code in
 *       target/diffusers-big/, through {@link TrainedModel#resolve} as {@code bin/jdiffusion} does, and
 *       compares its forward with diffusers' output within 1e-5 of the largest value.
 * </ul>
 */
class DiffusersCrossCheckTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  @EnabledIfSystemProperty(named = "jdiffusion.export.check", matches = ".+")
  void writesExportsWithJdiffusionsOutputs() throws Exception {
    Path dir = Path.of(System.getProperty("jdiffusion.export.check"));
    TrainedModel mnist = TrainedModel.resolve("mnist", true);
    write(dir.resolve("mnist"), mnist.net(), mnist.scheduleConfig(), mnist.prediction(), new int[] {3, 10});
    UNetConfig base = UNetConfig.tiny(3, 16, 0).toBuilder().levelChannels(List.of(16, 32))
        .attentionResolutions(List.of(8)).build();
    write(dir.resolve("heads"), perturbed(base.toBuilder().heads(2).build()));
    write(dir.resolve("one_head"), perturbed(base));
    write(dir.resolve("scale_shift"), perturbed(base.toBuilder().scaleShift(true).build()));
  }

  /** A U-Net with random weights, every one of them non-trivial (zero-initialised layers included). */
  private static UNet perturbed(UNetConfig c) {
    torch.manual_seed(11);
    UNet net = new UNet(c);
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      for (var p : net.parameters().values()) {
        p.add_(torch.randn_like(p).mul(Torch.s(0.2)));
      }
    }
    return net;
  }

  private static void write(Path folder, UNet net) throws Exception {
    write(folder, net, ScheduleConfig.linear(1000, 1e-4, 0.02), io.jdiffusion.diffusion.Prediction.V, null);
  }

  private static void write(Path folder, UNet net, ScheduleConfig schedule, io.jdiffusion.diffusion.Prediction p,
      int[] labels) throws Exception {
    DiffusersFolder.write(folder, net, schedule, p);
    UNetConfig c = net.config();
    torch.manual_seed(5);
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Tensor x = torch.randn(2, c.inChannels(), c.imageSize(), c.imageSize());
      double[] t = {999, 17};
      float[] out = Torch.toFloats(net.forward(x, t, labels, Forward.EVAL_FP32));
      Map<String, Safetensors.Entry> io = new LinkedHashMap<>();
      long[] shape = {2, c.inChannels(), c.imageSize(), c.imageSize()};
      io.put("x", new Safetensors.Entry(shape, Torch.toFloats(x)));
      io.put("t", new Safetensors.Entry(new long[] {2}, new float[] {999, 17}));
      if (labels != null) {
        io.put("labels", new Safetensors.Entry(new long[] {2}, new float[] {labels[0], labels[1]}));
      }
      io.put("out", new Safetensors.Entry(new long[] {2, c.predictionChannels(), c.imageSize(), c.imageSize()}, out));
      Safetensors.write(folder.resolve("io.safetensors"), io, Map.of(), false);
    }
    System.out.println("wrote " + folder);
  }

  @Test
  @EnabledIfSystemProperty(named = "jdiffusion.big", matches = "true")
  void theHubArchitecturesMatchDiffusers() throws Exception {
    int checked = 0;
    for (String name : new String[] {"ddpm-cifar10-32", "ddpm-celebahq-256"}) {
      Path folder = io.jdiffusion.TestTorch.repoRoot().resolve("target/diffusers-big").resolve(name);
      if (Files.isDirectory(folder)) {
        check(folder, name);
        checked++;
      }
    }
    assertTrue(checked > 0, "target/diffusers-big: run scripts/diffusers_check.py big [--arch ddpm-celebahq-256] first");
  }

  private static void check(Path folder, String name) throws Exception {
    TrainedModel m = TrainedModel.resolve(folder.toString(), true);
    Safetensors.Contents io = ForeignSafetensors.read(folder.resolve("io.safetensors"));
    Safetensors.Entry x = io.tensors().get("x");
    float[] tf = io.tensors().get("t").values();
    double[] t = new double[tf.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = tf[i];
    }
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      long start = System.nanoTime();
      float[] out = Torch.toFloats(m.net().forward(Torch.tensor(x.values(), x.shape()), t, null, Forward.EVAL_FP32));
      double secs = (System.nanoTime() - start) / 1e9;
      double rel = DiffusersFixturesTest.relative(out, io.tensors().get("out").values());
      System.out.printf(Locale.ROOT, "google/%s architecture: %d parameters, max |diff| / max |out| ="
          + " %.2e (forward of %d images: %.2f s)%n", name, m.net().parameterCount(), rel, t.length, secs);
      assertTrue(rel < 1e-5, "relative difference " + rel);
    }
  }
}
