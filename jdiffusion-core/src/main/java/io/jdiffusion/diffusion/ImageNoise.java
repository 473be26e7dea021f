package io.jdiffusion.diffusion;

import io.jdiffusion.nn.Torch;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * Standard-normal noise with one random stream per image (as in NVlabs/edm's generate.py): image
 * i's noise depends only on its own seed, so an image does not change with the batch size or its
 * position in the batch.
 */
public final class ImageNoise implements Noise {
  private final SplittableRandom[] streams;

  /** One stream per seed; seeds[i] drives image i. */
  public ImageNoise(long[] seeds) {
    this.streams = new SplittableRandom[seeds.length];
    for (int i = 0; i < seeds.length; i++) {
      streams[i] = new SplittableRandom(seeds[i]);
    }
  }

  /** Seeds first, first + 1, ..., first + n - 1. */
  public static ImageNoise consecutive(long first, int n) {
    long[] s = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = first + i;
    }
    return new ImageNoise(s);
  }

  public int batch() {
    return streams.length;
  }

  /** The next [B, C, H, W] draw: image i's values come from stream i. */
  @Override
  public Tensor next(long c, long h, long w) {
    int per = (int) (c * h * w);
    float[] data = new float[streams.length * per];
    for (int i = 0; i < streams.length; i++) {
      SplittableRandom r = streams[i];
      for (int j = 0; j < per; j++) {
        data[i * per + j] = (float) r.nextGaussian();
      }
    }
    return Torch.tensor(data, streams.length, c, h, w);
  }
}
