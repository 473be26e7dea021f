package io.jdiffusion.data;

import java.util.SplittableRandom;

/**
 * A dataset whose images vary randomly each time they are drawn (a random crop, for instance).
 *
 * <p>{@link #read(int, float[], int)} stays deterministic (the un-augmented view, used for
 * statistics and previews); {@link #read(int, float[], int, SplittableRandom)} draws its random
 * choices from the caller's generator, so {@code io.jdiffusion.train.Batches} keeps every batch a
 * pure function of (seed, step) and resumed runs see the same crops.
 */
public interface Augmented extends ImageDataset {
  /** Like {@link #read(int, float[], int)}, with the random choices drawn from {@code rng}. */
  void read(int index, float[] dst, int offset, SplittableRandom rng);
}
