package io.jdiffusion.diffusion;

import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;

/**
 * Standard-normal noise with one libtorch CPU generator per image, seeded seed_i: the draws PyTorch
 * gives {@code randn(shape, generator=g)} with g = {@code torch.Generator().manual_seed(seed_i)}, so that a
 * diffusers pipeline called with {@code generator=[torch.Generator().manual_seed(s + i) for i in
 * range(n)]} and a jdiffusion pipeline given seed s start from the same latents (libtorch and PyTorch
 * share the Mersenne Twister and its normal sampler). Image i depends on its own seed only, as with
 * {@link ImageNoise}.
 */
public final class GeneratorNoise implements Noise, AutoCloseable {
  private final Generator[] generators;

  /** One generator per seed; seeds[i] drives image i. */
  public GeneratorNoise(long[] seeds) {
    this.generators = new Generator[seeds.length];
    for (int i = 0; i < seeds.length; i++) {
      generators[i] = Torch.cpuGenerator(seeds[i]);
      generators[i].retainReference(); // lives as long as this object, outside the callers' step scopes
    }
  }

  /** Seeds first, first + 1, ..., first + n - 1. */
  public static GeneratorNoise consecutive(long first, int n) {
    long[] s = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = first + i;
    }
    return new GeneratorNoise(s);
  }

  public int batch() {
    return generators.length;
  }

  /** The next [B, C, H, W] draw: image i's values come from generator i, [C, H, W] at a time. */
  @Override
  public Tensor next(long c, long h, long w) {
    return Torch.scoped(() -> {
      Tensor[] parts = new Tensor[generators.length];
      for (int i = 0; i < generators.length; i++) {
        parts[i] = Torch.randn(generators[i], 1, c, h, w);
      }
      return Torch.cat(0, parts);
    });
  }

  /**
   * One [1, C, H, W] draw from the first generator alone: what diffusers' inpainting pipeline draws for
   * an autoencoder sample of its one input image, whatever the number of generators.
   */
  public Tensor nextFromFirst(long c, long h, long w) {
    return Torch.randn(generators[0], 1, c, h, w);
  }

  /** Frees the generators. */
  @Override
  public void close() {
    for (Generator g : generators) {
      g.releaseReference();
    }
  }
}
