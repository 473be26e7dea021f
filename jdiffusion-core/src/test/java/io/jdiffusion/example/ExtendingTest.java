package io.jdiffusion.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.BetaSchedule;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/extending.md's example: a sampler added from outside the library is one class and one call. */
class ExtendingTest {
  private static final NoiseSchedule SD = new NoiseSchedule(BetaSchedule.QUADRATIC, 1000, 0.00085, 0.012);

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** out(x, t) = 0.8 tanh(x) + 0.1 x t / 1000, as in the scheduler parity fixtures. */
  private static final Denoiser MODEL = new Denoiser() {
    @Override
    public Prediction prediction() {
      return Prediction.EPS;
    }

    @Override
    public Tensor output(Tensor xt, double t) {
      return xt.tanh().mul(new Scalar(0.8)).add(xt.mul(new Scalar(0.1 * t / 1000)));
    }
  };

  @Test
  void anOutsideThirdOrderSolverEqualsTheBuiltInOne() {
    Samplers.register(new ThirdOrderDpmSolver());
    assertThrows(IllegalArgumentException.class, () -> Samplers.register(new ThirdOrderDpmSolver()), "name taken");
    assertTrue(Samplers.names().contains("my-dpm++3m"));
    assertSame(ThirdOrderDpmSolver.class, Samplers.byName("My DPM++ 3M").getClass());
    for (int steps : new int[] {20, 25, 50}) {
      try (PointerScope scope = new PointerScope()) {
        Tensor xT = Torch.randn(2, 1, 4, 4).to(torch.ScalarType.Double);
        SamplerSettings run = SamplerSettings.eta(0).clip(false);
        Tensor mine = SamplingLoop.run(Samplers.byName("my-dpm++3m"), MODEL, SD, xT, steps, Timesteps.TRAILING, null, run,
            StepCallback.NONE);
        Tensor builtIn = SamplingLoop.run(Samplers.DPMPP_3M, MODEL, SD, xT, steps, Timesteps.TRAILING, null, run,
            StepCallback.NONE);
        double diff = mine.sub(builtIn).abs().max().item_double();
        assertEquals(0, diff, 1e-12, steps + " steps");
      }
    }
  }
}
