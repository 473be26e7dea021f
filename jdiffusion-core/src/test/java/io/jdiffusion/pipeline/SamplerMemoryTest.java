package io.jdiffusion.pipeline;

import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.StepCallback;
import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.DdimInversion;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.RePaint;
import io.jdiffusion.sampling.SdEdit;
import io.jdiffusion.sampling.Slerp;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.IntFunction;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sampling loop holds a constant number of native objects, whatever its step count (GUIDE must-do 3). */
class SamplerMemoryTest {
  private static final NoiseSchedule S = NoiseSchedule.linear(1000);
  private static final Denoiser SHRINK = new Denoiser() {
    @Override
    public Prediction prediction() {
      return Prediction.EPS;
    }

    @Override
    public Tensor output(Tensor xt, double t) {
      return xt.mul(Torch.s(0.1));
    }
  };

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** Live JavaCPP objects left in the caller's scope by {@code body} with the given step count. */
  private static long liveAfter(IntFunction<Tensor> body, int steps) {
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      long before = Pointer.totalCount();
      body.apply(steps);
      return Pointer.totalCount() - before;
    }
  }

  /**
   * The count of live objects is the whole process's: objects of earlier tests that the garbage collector
   * frees during a run make it drop (seen on a loaded machine). A leak makes 30 steps leave more than 3
   * on every try; a collection elsewhere does not repeat, so up to four tries, after a collection each.
   */
  private static void assertFlat(IntFunction<Tensor> body, String what) {
    long few = 0;
    long many = 0;
    long before = 0;
    long after = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
      TestTorch.settle();
      before = Pointer.totalCount();
      few = liveAfter(body, 3);
      many = liveAfter(body, 30);
      after = Pointer.totalCount();
      if (few == many && before == after) {
        return;
      }
    }
    assertEquals(few, many, what + ": objects left after 3 vs 30 steps");
    assertEquals(before, after, what + ": objects outliving the scope");
  }


  static List<Sampler> samplers() {
    return Samplers.all();
  }

  @ParameterizedTest
  @MethodSource("samplers")
  void samplersKeepAFlatCountOfLiveTensors(Sampler sampler) {
    assertFlat(steps -> {
      ImageNoise noise = ImageNoise.consecutive(0, 2);
      return SamplingLoop.run(sampler, SHRINK, S, noise.next(1, 4, 4), steps, Timesteps.TRAILING, noise,
          SamplerSettings.eta(sampler.defaultEta()), StepCallback.NONE);
    }, sampler.name());
  }

  @Test
  void editingLoopsKeepAFlatCountOfLiveTensors() {
    assertFlat(steps -> {
      ImageNoise noise = ImageNoise.consecutive(0, 2);
      Tensor x0 = noise.next(1, 4, 4);
      return RePaint.inpaint(SHRINK, S, x0, Torch.full(1, 1, 1, 4, 4), noise.next(1, 4, 4), noise,
          Timesteps.LEADING.select(1000, steps), 2, 2, Ddpm.Variance.FIXED_SMALL, true, i -> {});
    }, "RePaint");
    assertFlat(steps -> {
      ImageNoise noise = ImageNoise.consecutive(0, 2);
      return SdEdit.edit(SHRINK, S, noise.next(1, 4, 4), noise, Timesteps.LEADING.select(1000, steps), 0.7, SamplerSettings.eta(1.0),
          StepCallback.NONE);
    }, "SDEdit");
    assertFlat(steps -> {
      Tensor z = DdimInversion.invert(SHRINK, S, ImageNoise.consecutive(0, 2).next(1, 4, 4),
          Timesteps.LEADING.select(1000, steps), i -> {});
      return Slerp.slerp(z.narrow(0, 0, 1), z.narrow(0, 1, 1), 0.3);
    }, "DDIM inversion");
  }
}
