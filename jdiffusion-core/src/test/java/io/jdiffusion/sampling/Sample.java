package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.schedule.NoiseSchedule;
import org.bytedeco.pytorch.Tensor;

/** The samplers run through {@link SamplingLoop} with explicit paths, as the tests call them. */
final class Sample {
  private Sample() {}

  static Tensor ddim(Denoiser d, NoiseSchedule s, Tensor xT, ImageNoise noise, int[] ts, double eta, boolean clip) {
    return SamplingLoop.run(Samplers.DDIM, d, s, xT, NoisePath.timesteps(s, ts), noise,
        new SamplerSettings(eta, Ddpm.Variance.FIXED_SMALL, clip), StepCallback.NONE);
  }

  static Tensor ddpm(Denoiser d, NoiseSchedule s, Tensor xT, ImageNoise noise, int[] ts, Ddpm.Variance variance,
      boolean clip) {
    return SamplingLoop.run(Samplers.DDPM, d, s, xT, NoisePath.timesteps(s, ts), noise,
        new SamplerSettings(0, variance, clip), StepCallback.NONE);
  }

  static Tensor dpm(Denoiser d, NoiseSchedule s, Tensor xT, int[] ts, int order, boolean clip, StepCallback cb) {
    return SamplingLoop.run(new DpmSolverMultistep("dpm++", DpmSolverMultistep.Settings.of(order)), d, s, xT, NoisePath.timesteps(s, ts), null,
        SamplerSettings.eta(0).clip(clip), cb);
  }

  static Tensor dpm(Denoiser d, NoiseSchedule s, Tensor xT, int[] ts, int order, boolean clip) {
    return dpm(d, s, xT, ts, order, clip, StepCallback.NONE);
  }

  static Tensor euler(Denoiser d, NoiseSchedule s, Tensor xT, double[] sigmas, boolean clip) {
    return SamplingLoop.run(Samplers.EULER, d, s, xT, NoisePath.sigmas(s, sigmas), null,
        SamplerSettings.eta(0).clip(clip), StepCallback.NONE);
  }

  static Tensor eulerA(Denoiser d, NoiseSchedule s, Tensor xT, ImageNoise noise, double[] sigmas, double eta,
      boolean clip) {
    return SamplingLoop.run(Samplers.EULER_A, d, s, xT, NoisePath.sigmas(s, sigmas), noise,
        new SamplerSettings(eta, Ddpm.Variance.FIXED_SMALL, clip), StepCallback.NONE);
  }

  static Tensor heun(Denoiser d, NoiseSchedule s, Tensor xT, double[] sigmas, boolean clip) {
    return SamplingLoop.run(Samplers.HEUN, d, s, xT, NoisePath.sigmas(s, sigmas), null,
        SamplerSettings.eta(0).clip(clip), StepCallback.NONE);
  }
}
