package io.jdiffusion.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.Ddim;
import io.jdiffusion.sampling.Estimate;
import io.jdiffusion.sampling.UNetDenoiser;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jdiffusion's U-Net against diffusers' own UNet2DModel and DDIMScheduler, on the fixtures that
 * scripts/diffusers_fixtures.py wrote with diffusers' code: same weights, same inputs, outputs within
 * 1e-5 of the largest output value (measured: 5e-7 to 2.2e-6), and ten DDIM steps within 1e-4 (2.6e-5).
 */
class DiffusersFixturesTest {
  private static final List<String> WARNINGS = new ArrayList<>();

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  static Path fixture(String name) throws Exception {
    return Path.of(DiffusersFixturesTest.class.getResource("/io/jdiffusion/diffusers/" + name).toURI());
  }

  /** max |a - b| / max |b|. */
  static double relative(float[] a, float[] b) {
    assertEquals(b.length, a.length);
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpm", "legacy", "scale_shift", "classes", "class_timestep", "no_mid"})
  void forwardMatchesDiffusersUNet2DModel(String name) throws Exception {
    DiffusersFolder.Loaded m = DiffusersFolder.load(fixture(name), WARNINGS::add);
    Safetensors.Contents io = ForeignSafetensors.read(fixture(name).resolve("io.safetensors"));
    Safetensors.Entry x = io.tensors().get("x");
    float[] tf = io.tensors().get("t").values();
    double[] t = new double[tf.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = tf[i];
    }
    int[] labels = null;
    if (io.tensors().containsKey("labels")) {
      float[] l = io.tensors().get("labels").values();
      labels = new int[l.length];
      for (int i = 0; i < l.length; i++) {
        labels[i] = (int) l[i];
      }
    }
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      float[] out = Torch.toFloats(m.net().forward(Torch.tensor(x.values(), x.shape()), t, labels, Forward.EVAL_FP32));
      double rel = relative(out, io.tensors().get("out").values());
      System.out.printf(Locale.ROOT, "diffusers fixture %s: max |diff| / max |out| = %.2e%n", name, rel);
      assertTrue(rel < 1e-5, name + ": relative difference " + rel);
    }
  }

  @Test
  void theFixturesMapOntoTheOptionsTheyCover() throws Exception {
    UNetConfig ddpm = DiffusersFolder.load(fixture("ddpm"), WARNINGS::add).net().config();
    assertEquals(0, ddpm.downsamplePadding());
    assertEquals(1e-6, ddpm.normEps());
    assertEquals(List.of(16, 8, 4), ddpm.resolutions());
    assertTrue(ddpm.attention(1, false) && ddpm.attention(1, true) && !ddpm.attention(0, true));
    UNetConfig ss = DiffusersFolder.load(fixture("scale_shift"), WARNINGS::add).net().config();
    assertTrue(ss.scaleShift() && ss.centerInputSample() && ss.flipSinToCos());
    assertEquals(List.of(8, 12), ss.blockOutChannels());
    assertEquals(2, ss.predictionChannels());
    assertTrue(ss.attention(0, false) && !ss.attention(0, true));
    UNetConfig classes = DiffusersFolder.load(fixture("classes"), WARNINGS::add).net().config();
    assertEquals(5, classes.numClasses());
    assertTrue(!classes.nullClass() && !classes.midAttention());
    assertEquals(24, classes.timeEmbedDim());
  }

  @Test
  void ddimMatchesDiffusersSchedulerLoopWithClippedModelOutput() throws Exception {
    DiffusersFolder.Loaded m = DiffusersFolder.load(fixture("ddim"), WARNINGS::add);
    assertEquals(ScheduleConfig.linear(1000, 1e-4, 0.02), m.scheduler().schedule());
    assertEquals(Prediction.EPS, m.scheduler().prediction());
    assertEquals(io.jdiffusion.sampling.Samplers.DDIM, m.scheduler().sampler());
    NoiseSchedule s = m.scheduler().schedule().build();
    Safetensors.Contents run = ForeignSafetensors.read(fixture("ddim").resolve("ddim.safetensors"));
    float[] ts = run.tensors().get("timesteps").values();
    Safetensors.Entry xT = run.tensors().get("x_T");
    UNetDenoiser d = new UNetDenoiser(m.net(), Prediction.EPS, null, Precision.FP32);
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Tensor x = Torch.tensor(xT.values(), xT.shape());
      for (int i = 0; i < ts.length; i++) {
        int t = (int) ts[i];
        int prev = i + 1 < ts.length ? (int) ts[i + 1] : -1;
        Estimate e = Estimate.at(d, s, x, t, true);
        x = Ddim.step(s, x, e, t, prev, 0, null);
      }
      double rel = relative(Torch.toFloats(x), run.tensors().get("x_0").values());
      System.out.printf(Locale.ROOT, "diffusers DDIM-10: max |diff| / max |x_0| = %.2e%n", rel);
      assertTrue(rel < 1e-4, "DDIM relative difference " + rel); // ten steps of float32 (2.6e-5 measured)
    }
  }

  @Test
  void exportedFoldersImportAsTheSameModel(@TempDir Path dir) throws Exception {
    torch.manual_seed(3);
    UNetConfig c = UNetConfig.tiny(3, 8, 4).toBuilder().levelChannels(List.of(8, 16)).attentionResolutions(List.of(4))
        .heads(2).build();
    UNet net = new UNet(c);
    DiffusersFolder.write(dir.resolve("out"), net, ScheduleConfig.linear(500, 1e-4, 0.02), Prediction.V);
    for (Path p : List.of(dir.resolve("out"), dir.resolve("out").resolve("unet"))) {
      DiffusersFolder.Loaded back = DiffusersFolder.load(p, WARNINGS::add);
      // the same network in diffusers' terms (heads 2 of 8 channels reads back as attention_head_dim 8)
      assertEquals(UNet2DModelConfig.write(c), UNet2DModelConfig.write(back.net().config()));
      assertEquals(net.parameterCount(), back.net().parameterCount());
      if (p.endsWith("out")) {
        assertEquals(Prediction.V, back.scheduler().prediction());
        assertEquals(500, back.scheduler().schedule().steps());
      }
      try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
        Tensor x = torch.randn(2, 3, 8, 8);
        int[] labels = {4, 1};
        float[] a = Torch.toFloats(net.forward(x, new double[] {10, 900}, labels, Forward.EVAL_FP32));
        float[] b = Torch.toFloats(back.net().forward(x, new double[] {10, 900}, labels, Forward.EVAL_FP32));
        assertEquals(0, relative(a, b));
      }
    }
  }

  @Test
  void pytorchBinWeightsLoadAsTheirSafetensorsDo(@TempDir Path dir) throws Exception {
    // the same weights saved by torch.save (scripts/torch_pickle_fixtures.py): read by the restricted reader
    Files.copy(fixture("no_mid").resolve("config.json"), dir.resolve("config.json"));
    Files.copy(Path.of("src/test/resources/io/jdiffusion/torchpickle/no_mid.bin"),
        dir.resolve("diffusion_pytorch_model.bin"));
    var fromBin = DiffusersFolder.load(dir, WARNINGS::add);
    var fromSafetensors = DiffusersFolder.load(fixture("no_mid"), WARNINGS::add);
    for (var e : fromSafetensors.net().parameters().entrySet()) {
      assertArrayEquals(Torch.toFloats(e.getValue()), Torch.toFloats(fromBin.net().parameters().get(e.getKey())), 0f,
          e.getKey());
    }
    fromBin.net().close();
    fromSafetensors.net().close();
    // an old-format (or broken) .bin: one line with the command that converts it
    Files.write(dir.resolve("diffusion_pytorch_model.bin"), new byte[] {1, 2, 3});
    StoreException e = assertThrows(StoreException.class, () -> DiffusersFolder.load(dir, WARNINGS::add));
    assertTrue(e.getMessage().contains("not a zip-format PyTorch file") && e.getMessage().contains("save_file("),
        e.getMessage());
  }

  @Test
  void unsupportedOptionsAreRefusedByName(@TempDir Path dir) throws Exception {
    String config = Files.readString(fixture("no_mid").resolve("config.json"));
    for (String[] bad : new String[][] {{"\"DownBlock2D\"", "\"CrossAttnDownBlock2D\"", "CrossAttnDownBlock2D"},
        {"\"act_fn\": \"silu\"", "\"act_fn\": \"gelu\"", "act_fn"},
        {"\"time_embedding_type\": \"positional\"", "\"time_embedding_type\": \"fourier\"", "time_embedding_type"},
        {"\"downsample_padding\": 1", "\"downsample_padding\": 2", "downsample_padding"}}) {
      Path d = Files.createDirectories(dir.resolve(bad[2]));
      Files.writeString(d.resolve("config.json"), config.replaceFirst(java.util.regex.Pattern.quote(bad[0]), bad[1]));
      Files.copy(fixture("no_mid").resolve(DiffusersFolder.WEIGHTS), d.resolve(DiffusersFolder.WEIGHTS));
      StoreException e = assertThrows(StoreException.class, () -> DiffusersFolder.load(d, WARNINGS::add), bad[2]);
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
    }
  }

  @Test
  void anImportedModelKeepsItsDiffusersOptionsInJdiffusionsOwnWeightsFile(@TempDir Path dir) throws Exception {
    DiffusersFolder.Loaded m = DiffusersFolder.load(fixture("scale_shift"), WARNINGS::add);
    io.jdiffusion.pipeline.TrainedModel model = new io.jdiffusion.pipeline.TrainedModel(m.net(),
        m.scheduler().schedule(), m.scheduler().prediction());
    Path f = dir.resolve("w.safetensors");
    model.exportWeights(f, false);
    List<String> warnings = new ArrayList<>();
    System.setErr(new java.io.PrintStream(new java.io.ByteArrayOutputStream()) {
      @Override
      public void println(String x) {
        warnings.add(x);
      }
    });
    io.jdiffusion.pipeline.TrainedModel back;
    try {
      back = io.jdiffusion.pipeline.TrainedModel.load(f, true);
    } finally {
      System.setErr(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true));
    }
    assertEquals(m.net().config(), back.config());
    assertEquals(List.of(), warnings);
  }
}
