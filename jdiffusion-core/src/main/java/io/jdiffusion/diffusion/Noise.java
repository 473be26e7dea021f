package io.jdiffusion.diffusion;

import org.bytedeco.pytorch.Tensor;

/** Where a sampler's fresh noise comes from: standard-normal draws shaped [B, C, H, W]. */
@FunctionalInterface
public interface Noise {
  /** The next draw for a batch of B images of C x H x W (B is the source's own). */
  Tensor next(long c, long h, long w);
}
