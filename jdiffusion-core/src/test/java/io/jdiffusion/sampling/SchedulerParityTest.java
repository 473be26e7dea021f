package io.jdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Noise;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.interop.DiffusersScheduler;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scheduler against diffusers' own scheduler classes, run by scripts/scheduler_fixtures.py in
 * float64 on the analytic model out(x, t) = 0.8 tanh(x) + 0.1 x t / 1000, with the same x_T and the
 * same noise draws. Per case: the timesteps equal diffusers' exactly and the sigmas within 1e-12; in
 * float64 x after every step within 1e-12 (each step's update in double precision); in float32 the
 * result within 1e-5 of diffusers' float64 one, relative to its largest value.
 */
class SchedulerParityTest {
  private static final Path DIR = resource("/io/jdiffusion/schedulers");

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @TestFactory
  Stream<DynamicTest> everyCaseEqualsDiffusers() throws IOException {
    List<Path> cases;
    try (Stream<Path> files = Files.list(DIR)) {
      cases = files.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().equals("timesteps.json"))
          .sorted().toList();
    }
    assertTrue(cases.size() > 150, "fixtures present: " + cases.size());
    return cases.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
      try {
        check(read(p));
      } catch (AssertionError e) {
        throw new AssertionError(p.getFileName() + ": " + e.getMessage(), e);
      }
    }));
  }

  @Test
  void timestepsEqualDiffusersForEveryStepCount() throws IOException {
    JsonNode table = read(DIR.resolve("timesteps.json"));
    int checked = 0;
    int deviations = 0;
    for (Iterator<String> it = table.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      JsonNode config = ((com.fasterxml.jackson.databind.node.ObjectNode) table.get(key).get("config").deepCopy())
          .put("_class_name", key.substring(0, key.indexOf('/')));
      DiffusersScheduler d = DiffusersScheduler.read(config, key, w -> { });
      NoiseSchedule s = d.schedule().build();
      SamplerSettings run = settings(d, 0);
      JsonNode rows = table.get(key).get("rows");
      for (int n = 1; n <= rows.size(); n++) {
        JsonNode row = rows.get(n - 1);
        int steps = n;
        if (row.get(0).isTextual()) {
          assertThrows(IllegalArgumentException.class, () -> timesteps(d.sampler(), s, steps, run), key + " N=" + n);
          continue;
        }
        double[] t;
        try {
          t = timesteps(d.sampler(), s, steps, run);
        } catch (IllegalArgumentException e) {
          // leading spacing plus steps_offset reaches timestep T: diffusers lists it and fails at its first step
          assertTrue(run.spacing() == Timesteps.LEADING && run.stepsOffset() > 0 && e.getMessage().contains("outside"),
              key + " N=" + n + ": " + e.getMessage());
          continue;
        }
        long[] expect = {row.get(0).asLong(), row.get(1).asLong()};
        long[] got = checksum(t, key.startsWith("Euler"));
        if (expect[0] == t.length + 1 && run.spacing() == Timesteps.TRAILING) {
          // diffusers' trailing list has N + 1 entries ending in -1 here; jdiffusion keeps the first N
          double[] withMinusOne = java.util.Arrays.copyOf(t, t.length + 1);
          withMinusOne[t.length] = -1;
          got = checksum(withMinusOne, key.startsWith("Euler"));
          deviations++;
        }
        if (expect[0] != got[0] || expect[1] != got[1]) {
          fail(key + ": timesteps differ from diffusers' at N = " + n + ": " + java.util.Arrays.toString(t));
        }
        checked++;
      }
    }
    assertTrue(checked > 15_000, "checked " + checked);
    assertTrue(deviations < 600, "trailing lists diffusers ends in -1: " + deviations);
  }

  /** The timesteps the network sees, in diffusers' listing (Heun's repeated, PNDM's with its repeat). */
  private static double[] timesteps(Sampler sampler, NoiseSchedule s, int steps, SamplerSettings run) {
    NoisePath p = sampler.path(s, steps, run);
    return java.util.Arrays.copyOf(p.t(), p.steps());
  }

  private static long[] checksum(double[] t, boolean micro) {
    long h = 0;
    for (int i = 0; i < t.length; i++) {
      long v = micro ? (long) Math.rint(t[i] * 1e6) : (long) t[i]; // Python rounds half to even
      h = Math.floorMod(h * 1000003 + v * (i + 1) + 7, 2147483647L);
    }
    return new long[] {t.length, h};
  }

  private static void check(JsonNode c) {
    JsonNode config = ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("config").deepCopy())
        .put("_class_name", c.get("class").asText());
    DiffusersScheduler d = DiffusersScheduler.read(config, c.get("name").asText(), w -> { });
    NoiseSchedule s = d.schedule().build();
    double eta = c.has("eta") ? c.get("eta").asDouble() : d.sampler().defaultEta();
    SamplerSettings run = settings(d, eta);
    int steps = c.get("steps").asInt();
    boolean heun = d.sampler() instanceof Heun;
    NoisePath path = d.sampler().path(s, steps, run);

    double[] ts = doubles(c.get("timesteps"));
    double[] expectT = heun ? everyOther(ts) : ts;
    assertEquals(expectT.length, path.steps(), "number of points");
    for (int i = 0; i < expectT.length; i++) {
      assertEquals(expectT[i], path.t()[i], 1e-12 * Math.max(1, Math.abs(expectT[i])), "timestep " + i);
    }
    if (c.has("sigmas")) {
      double[] sg = doubles(c.get("sigmas"));
      double[] expectS = heun ? heunSigmas(sg) : sg;
      for (int i = 0; i < expectS.length; i++) {
        assertEquals(expectS[i], path.sigma()[i], 1e-12 * Math.max(1, expectS[i]), "sigma " + i);
      }
    }

    long[] shape = longs(c.get("shape"));
    double[] sigmas = path.sigma();
    boolean ve = d.sampler().grid() == Sampler.Grid.SIGMAS;
    // float64: every step
    try (PointerScope scope = new PointerScope()) {
      List<double[]> seen = new ArrayList<>();
      Tensor out = SamplingLoop.run(d.sampler(), new Analytic(d.prediction()), s, tensor(c.get("x_T"), shape, true),
          steps, run.spacing(), new Replay(c.get("noise"), shape, true), run, state -> {
            if (state.index() > 0) {
              double scale = ve ? Math.sqrt(1 + sigmas[state.index()] * sigmas[state.index()]) : 1;
              seen.add(values(state.xt().mul(new Scalar(scale))));
            }
          });
      JsonNode traj = c.get("trajectory");
      for (int i = 0; i < seen.size(); i++) {
        assertClose(doubles(traj.get(i)), seen.get(i), 1e-12, "x after step " + i);
      }
      assertClose(doubles(c.get("final")), values(out), 1e-12, "result");
    }
    // float32: the whole run
    try (PointerScope scope = new PointerScope()) {
      Tensor out = SamplingLoop.run(d.sampler(), new Analytic(d.prediction()), s, tensor(c.get("x_T"), shape, false),
          steps, run.spacing(), new Replay(c.get("noise"), shape, false), run, StepCallback.NONE);
      double[] expect = doubles(c.get("final"));
      double[] got = values(out);
      double max = 0;
      double diff = 0;
      for (int i = 0; i < expect.length; i++) {
        max = Math.max(max, Math.abs(expect[i]));
        diff = Math.max(diff, Math.abs(expect[i] - got[i]));
      }
      assertTrue(diff <= 1e-5 * Math.max(max, 1e-3), "float32 result off by " + diff + " (largest value " + max + ")");
    }
  }

  static SamplerSettings settings(DiffusersScheduler d, double eta) {
    return new SamplerSettings(eta, d.variance(), d.clip(), d.spacing(), d.stepsOffset(), d.alphaToOne());
  }

  private static void assertClose(double[] expect, double[] got, double tol, String what) {
    assertEquals(expect.length, got.length, what);
    for (int i = 0; i < expect.length; i++) {
      if (!(Math.abs(expect[i] - got[i]) <= tol * Math.max(1, Math.abs(expect[i])))) {
        fail(what + ": element " + i + " is " + got[i] + ", diffusers " + expect[i]);
      }
    }
  }

  /** diffusers' Heun lists t_0, then t_1 .. t_{N-1} twice each. */
  private static double[] everyOther(double[] ts) {
    double[] out = new double[(ts.length + 1) / 2];
    out[0] = ts[0];
    for (int i = 1; i < out.length; i++) {
      out[i] = ts[2 * i - 1];
    }
    return out;
  }

  /** diffusers' Heun sigmas: sigma_0, sigma_1 .. sigma_{N-1} twice each, 0. */
  private static double[] heunSigmas(double[] sg) {
    int n = sg.length / 2;
    double[] out = new double[n + 1];
    out[0] = sg[0];
    for (int i = 1; i < n; i++) {
      out[i] = sg[2 * i - 1];
    }
    out[n] = sg[sg.length - 1];
    return out;
  }

  /** out(x, t) = 0.8 tanh(x) + 0.1 x t / 1000, in the dtype of x. */
  static final class Analytic implements Denoiser {
    private final Prediction prediction;

    Analytic(Prediction prediction) {
      this.prediction = prediction;
    }

    @Override
    public Prediction prediction() {
      return prediction;
    }

    @Override
    public Tensor output(Tensor xt, double t) {
      return xt.tanh().mul(new Scalar(0.8)).add(xt.mul(new Scalar(0.1 * t / 1000)));
    }
  }

  /** The fixture's noise draws, in order. */
  static final class Replay implements Noise {
    private final JsonNode draws;
    private final long[] shape;
    private final boolean f64;
    private int next;

    Replay(JsonNode draws, long[] shape, boolean f64) {
      this.draws = draws;
      this.shape = shape;
      this.f64 = f64;
    }

    @Override
    public Tensor next(long c, long h, long w) {
      assertTrue(next < draws.size(), "the sampler asked for more noise than diffusers drew");
      return tensor(draws.get(next++), shape, f64);
    }
  }

  static Tensor tensor(JsonNode values, long[] shape, boolean f64) {
    double[] v = doubles(values);
    Tensor t = torch.empty(shape, new TensorOptions(torch.ScalarType.Double), new org.bytedeco.pytorch.MemoryFormatOptional());
    try (DoublePointer p = new DoublePointer(t.data_ptr())) {
      p.put(v, 0, v.length);
    }
    return f64 ? t : t.to(torch.ScalarType.Float);
  }

  static double[] values(Tensor t) {
    Tensor d = t.detach().to(torch.ScalarType.Double).contiguous();
    double[] out = new double[(int) d.numel()];
    try (DoublePointer p = new DoublePointer(d.data_ptr())) {
      p.get(out);
    }
    return out;
  }

  static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }

  private static JsonNode read(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return Json.mapper().readTree(in);
    }
  }

  private static Path resource(String name) {
    try {
      return Paths.get(SchedulerParityTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
