package io.jdiffusion.sampling;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.schedule.NoiseSchedule;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;

/**
 * Denoising diffusion implicit models (Song, Meng &amp; Ermon 2021), eq. 12, from t to the previous
 * visited step p:
 *
 * <pre>sigma = eta sqrt((1 - alphaBar_p)/(1 - alphaBar_t)) sqrt(1 - alphaBar_t/alphaBar_p)   (eq. 16)
 * x_p = sqrt(alphaBar_p) x0 + sqrt(1 - alphaBar_p - sigma^2) eps + sigma z</pre>
 *
 * eta = 0 is the deterministic DDIM sampler; eta = 1 matches DDPM's FIXED_SMALL variance. As in
 * diffusers' DDIMScheduler, p = t - T // N whatever the spacing, and below 0 alphaBar_p is 1
 * (set_alpha_to_one) or alphaBar_0.
 */
public final class Ddim implements Sampler {
  private static final Traits TRAITS = Traits.of("ddim", Grid.TIMESTEPS).withEta(0);

  Ddim() {}

  /** One DDIM update from x_t with estimates e to timestep prev (-1 = the clean image). */
  public static Tensor step(NoiseSchedule s, Tensor xt, Estimate e, int t, int prev, double eta, Supplier<Tensor> z) {
    return step(s, xt, e, t, prev >= 0 ? s.alphaBar(prev) : 1.0, eta, z);
  }

  /** One DDIM update from x_t with estimates e to the point whose alphaBar is abP. */
  public static Tensor step(NoiseSchedule s, Tensor xt, Estimate e, int t, double abP, double eta,
      Supplier<Tensor> z) {
    double abT = s.alphaBar(t);
    double sigma = eta * Math.sqrt((1 - abP) / (1 - abT)) * Math.sqrt(1 - abT / abP);
    Tensor next = e.x0().mul(Torch.s(Math.sqrt(abP)))
        .add(e.eps().mul(Torch.s(Math.sqrt(Math.max(0, 1 - abP - sigma * sigma)))));
    if (sigma > 0) {
      next = next.add(z.get().mul(Torch.s(sigma)));
    }
    return next;
  }

  /** The spaced timesteps, each step landing on t - T // N (diffusers' DDIMScheduler). */
  @Override
  public NoisePath path(NoiseSchedule s, int steps, SamplerSettings run) {
    return NoisePath.timesteps(s, run.spacing().select(s.steps(), steps, run.stepsOffset())).landingBy(s.steps() / steps);
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }

  @Override
  public Tensor step(Step step) {
    NoiseSchedule s = step.schedule();
    int prev = step.path().landing(step.index());
    double abP = prev >= 0 ? s.alphaBar(prev) : step.settings().alphaToOne() ? 1.0 : s.alphaBar(0);
    return step(s, step.x(), step.estimate(), step.timestep(), abP, step.settings().eta(), step::z);
  }
}
