package io.jdiffusion.train;

import io.jdiffusion.data.Augmented;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.util.Seeds;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Training batches, a pure function of (seed, step): the dataset is shuffled once per epoch with a
 * seed derived from (seed, epoch), step k takes positions [kB, (k+1)B) of that endless stream, and
 * flips and label dropout draw from (seed, k). Datasets that augment ({@link Augmented}, e.g. random
 * crops) draw from their own stream of (seed, k), so adding them leaves flips and labels unchanged.
 * Step k+1's batch is assembled on a background thread while step k trains, so the engine never
 * waits on data; {@link #waitNanos()} says how long {@link #get} did wait.
 */
public final class Batches implements AutoCloseable {
  /** Images in [-1, 1], [B, C, H, W] flattened, and labels (numClasses = "no label"), or null. */
  public record Batch(long step, float[] images, int[] labels) {}

  private final ImageDataset data;
  private final int batchSize;
  private final long seed;
  private final boolean flip;
  private final double classDropout;
  private final boolean conditional;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "batch-prefetch");
    t.setDaemon(true);
    return t;
  });
  private long permEpoch = -1;
  private int[] perm;
  private Future<Batch> next;
  private long waitNanos;

  /**
   * @param conditional whether labels are produced (class-conditional model)
   * @param classDropout probability that a label is replaced by "no label" (numClasses)
   */
  public Batches(ImageDataset data, int batchSize, long seed, boolean flip, double classDropout, boolean conditional) {
    this.data = data;
    this.batchSize = batchSize;
    this.seed = seed;
    this.flip = flip;
    this.classDropout = classDropout;
    this.conditional = conditional;
  }

  /** The batch of {@code step}, and starts preparing the batch of {@code step + 1}. */
  public Batch get(long step) {
    Batch b;
    long t0 = System.nanoTime();
    try {
      b = next != null ? next.get() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading a batch");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    if (b == null || b.step() != step) {
      b = make(step);
    }
    waitNanos += System.nanoTime() - t0;
    next = worker.submit(() -> make(step + 1));
    return b;
  }

  /** Assembles the batch of {@code step} (deterministic). */
  public synchronized Batch make(long step) {
    int n = data.size();
    int per = data.imageSize();
    float[] images = new float[batchSize * per];
    int[] labels = conditional ? new int[batchSize] : null;
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, step, 2));
    SplittableRandom augmentRng = new SplittableRandom(Seeds.mix(seed, step, 3));
    Augmented augmented = data instanceof Augmented a ? a : null;
    int w = data.width();
    for (int j = 0; j < batchSize; j++) {
      long pos = step * batchSize + j;
      int index = permutation(pos / n)[(int) (pos % n)];
      if (augmented != null) {
        augmented.read(index, images, j * per, augmentRng);
      } else {
        data.read(index, images, j * per);
      }
      for (int i = j * per; i < (j + 1) * per; i++) {
        images[i] = images[i] * 2 - 1;
      }
      if (flip && rng.nextBoolean()) {
        flipRows(images, j * per, per / w, w);
      }
      if (conditional) {
        labels[j] = rng.nextDouble() < classDropout ? data.numClasses() : Math.max(0, data.label(index));
      }
    }
    return new Batch(step, images, labels);
  }

  /**
   * Total time {@link #get} spent waiting for its batch: on the prefetch still running, or
   * assembling the batch itself when none was prefetched (the first step, or a jump in steps).
   */
  public long waitNanos() {
    return waitNanos;
  }

  private int[] permutation(long epoch) {
    if (epoch != permEpoch) {
      int n = data.size();
      perm = new int[n];
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
      SplittableRandom r = new SplittableRandom(Seeds.mix(seed, epoch, 1));
      for (int i = n - 1; i > 0; i--) {
        int k = r.nextInt(i + 1);
        int tmp = perm[i];
        perm[i] = perm[k];
        perm[k] = tmp;
      }
      permEpoch = epoch;
    }
    return perm;
  }

  private static void flipRows(float[] a, int offset, int rows, int w) {
    for (int r = 0; r < rows; r++) {
      int base = offset + r * w;
      for (int x = 0; x < w / 2; x++) {
        float tmp = a[base + x];
        a[base + x] = a[base + w - 1 - x];
        a[base + w - 1 - x] = tmp;
      }
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
