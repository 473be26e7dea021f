package io.jdiffusion.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.KarrasSigmas;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DenoisingTraceTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** Predicts x0 = c for every image, as eps = (x_t - a c) / b; records every call's t. */
  private static final class ConstantDenoiser implements Denoiser {
    final NoiseSchedule s;
    final double c;
    final List<Double> calls = new ArrayList<>();

    ConstantDenoiser(NoiseSchedule s, double c) {
      this.s = s;
      this.c = c;
    }

    @Override
    public Prediction prediction() {
      return Prediction.EPS;
    }

    @Override
    public Tensor output(Tensor xt, double t) {
      calls.add(t);
      double ab = s.alphaBarAt(t);
      return xt.sub(Torch.s(Math.sqrt(ab) * c)).div(Torch.s(Math.sqrt(1 - ab)));
    }
  }

  private record Run(SortedMap<Integer, DenoisingTrace.Snapshot> states, float[] xT, float[] out, List<Double> calls) {}

  private static Run run(String sampler, int steps, int[] keep) {
    NoiseSchedule s = ScheduleConfig.linear(100, 1e-4, 0.05).build();
    Sampler kind = Samplers.byName(sampler);
    ConstantDenoiser d = new ConstantDenoiser(s, 0.25);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      DenoisingTrace trace = new DenoisingTrace(k -> java.util.Arrays.binarySearch(keep, k) >= 0);
      ImageNoise noise = ImageNoise.consecutive(3, 2);
      Tensor xT = noise.next(1, 4, 4);
      Tensor x = SamplingLoop.run(kind, d, s, xT, steps, kind.defaultSpacing(), noise, SamplerSettings.eta(0), trace);
      trace.finish(x);
      return new Run(trace.states(), Torch.toFloats(xT), Torch.toFloats(x), d.calls);
    }
  }

  @Test
  void ddimStatesAreTheStartEveryStepAndTheOutput() {
    int steps = 5;
    Run r = run("ddim", steps, new int[] {0, 1, 2, 3, 4, 5});
    assertEquals(steps + 1, r.states().size());
    assertArrayEquals(r.xT(), r.states().get(0).xt(), "state 0 is x_T");
    assertArrayEquals(r.out(), r.states().get(steps).xt(), "the last state is the sampler's output");
    assertEquals(-1, r.states().get(steps).t());
    assertEquals(0, r.states().get(steps).paperT());
    int[] ts = io.jdiffusion.sampling.Timesteps.LEADING.select(100, steps);
    NoiseSchedule s = ScheduleConfig.linear(100, 1e-4, 0.05).build();
    for (int k = 0; k < steps; k++) {
      DenoisingTrace.Snapshot snap = r.states().get(k);
      assertEquals(ts[k], snap.t(), "state " + k + " is the input of step " + k);
      assertEquals(ts[k] + 1, snap.paperT());
      for (float v : snap.x0()) {
        assertEquals(0.25, v, 1e-4, "the recorded estimate is the denoiser's x0");
      }
    }
    // deterministic DDIM with x0 = c: x_p = sqrt(ab_p) c + sqrt(1 - ab_p) (x_t - sqrt(ab_t) c) / sqrt(1 - ab_t)
    double abT = s.alphaBar(ts[0]);
    double abP = s.alphaBar(ts[1]);
    for (int i = 0; i < r.xT().length; i++) {
      double eps = (r.xT()[i] - Math.sqrt(abT) * 0.25) / Math.sqrt(1 - abT);
      assertEquals(Math.sqrt(abP) * 0.25 + Math.sqrt(1 - abP) * eps, r.states().get(1).xt()[i], 1e-5);
    }
  }

  @Test
  void heunsSecondEvaluationsAreNotStates() {
    int steps = 4;
    Run r = run("heun-karras", steps, new int[] {0, 1, 2, 3, 4});
    assertEquals(2 * steps - 1, r.calls().size(), "Heun evaluates 2N - 1 times");
    assertEquals(steps + 1, r.states().size(), "but has N + 1 states");
    NoiseSchedule s = ScheduleConfig.linear(100, 1e-4, 0.05).build();
    double[] sigmas = KarrasSigmas.of(s, steps);
    for (int k = 0; k < steps; k++) {
      assertEquals(s.timestepAt(sigmas[k]), r.states().get(k).t(), 1e-9, "state " + k);
    }
    // x starts at sigma_0 x_T in VE form (k-diffusion's and diffusers' init_noise_sigma), so the VP state is
    // x_T sigma_0 / sqrt(1 + sigma_0^2)
    float[] start = r.xT().clone();
    for (int i = 0; i < start.length; i++) {
      start[i] *= (float) (sigmas[0] / Math.sqrt(1 + sigmas[0] * sigmas[0]));
    }
    assertArrayEquals(start, r.states().get(0).xt(), 1e-5f, "state 0 is sigma_0 x_T (in the VP scale)");
    assertArrayEquals(r.out(), r.states().get(steps).xt());
  }

  @Test
  void onlyTheChosenStatesAreKept() {
    Run r = run("ddim", 10, new int[] {0, 5, 10});
    assertEquals(List.of(0, 5, 10), new ArrayList<>(r.states().keySet()));
  }

  /** Native objects left in the caller's scope by a fully traced DDIM run of {@code steps} steps. */
  private static long liveAfterTracedRun(int steps) {
    NoiseSchedule s = ScheduleConfig.linear(100, 1e-4, 0.05).build();
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      long before = Pointer.totalCount();
      DenoisingTrace trace = new DenoisingTrace(k -> true);
      ImageNoise noise = ImageNoise.consecutive(3, 2);
      trace.finish(SamplingLoop.run(Samplers.DDIM, new ConstantDenoiser(s, 0.1), s, noise.next(1, 4, 4), steps,
          Timesteps.LEADING, noise, SamplerSettings.eta(0.5), trace));
      assertEquals(steps + 1, trace.states().size());
      return Pointer.totalCount() - before;
    }
  }

  @Test
  void recordingEveryStateKeepsAFlatCountOfLiveTensors() {
    long before = Pointer.totalCount();
    assertEquals(liveAfterTracedRun(3), liveAfterTracedRun(30), "objects left after 3 vs 30 traced steps");
    assertEquals(before, Pointer.totalCount(), "objects outliving the scope");
  }

  @Test
  void evenlySpreadStatesIncludeBothEnds() {
    assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50}, ReverseProcess.evenly(11, 50));
    assertArrayEquals(new int[] {0, 1, 2, 3}, ReverseProcess.evenly(60, 3), "fewer states than asked");
    assertArrayEquals(new int[] {0, 500, 1000}, ReverseProcess.evenly(3, 1000));
    assertThrows(IllegalArgumentException.class, () -> ReverseProcess.evenly(0, 10));
  }
}
