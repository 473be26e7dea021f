package io.jdiffusion.sampling;

import org.bytedeco.pytorch.Tensor;

/**
 * Told about every step of a sampling run, after the step's first network evaluation and before
 * x moves on (k-diffusion's {@code callback}). The tensors belong to the step's scope: copy what
 * must outlive the call.
 */
@FunctionalInterface
public interface StepCallback {
  /** Does nothing. */
  StepCallback NONE = state -> { };

  /**
   * What a step saw.
   *
   * @param index the step, 0 .. steps - 1
   * @param steps the number of steps N of the run
   * @param t the network's timestep at this step (0-based, possibly fractional)
   * @param sigma the noise level sqrt((1 - alphaBar)/alphaBar) at this step
   * @param xt x_t in the model's (VP) form, the input the network saw
   * @param x0 the clean-image estimate at this step (clipped when the run clips)
   */
  record State(int index, int steps, double t, double sigma, Tensor xt, Tensor x0) {
    /**
     * How many of {@code units} are done after this step: (index + 1) / steps of them, so that a
     * progress counted in the caller's steps ends at its total when the sampler's path has more points
     * (PNDM's warm-up step) or fewer.
     */
    public long done(long units) {
      return Math.round((double) (index + 1) / steps * units);
    }
  }

  void onStep(State state);

  /** This callback, then {@code next}. */
  default StepCallback andThen(StepCallback next) {
    return state -> {
      onStep(state);
      next.onStep(state);
    };
  }
}
