package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import org.bytedeco.pytorch.Tensor;

/**
 * A trained network seen by a sampler: x_t and a timestep (shared by the batch) in, the network's
 * raw output out, together with what that output parameterizes. Conditioning (class labels,
 * guidance) lives inside the implementation, so samplers never see it.
 */
public interface Denoiser {
  /** What {@link #output} predicts: eps, x0 or v. */
  Prediction prediction();

  /** The network output at x_t [B, C, H, W] for timestep t (0-based; may be fractional). */
  Tensor output(Tensor xt, double t);
}
