package io.jdiffusion.train;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The copies of one training run in a data-parallel job, as the {@link Trainer} sees them (PyTorch's
 * DistributedDataParallel: every replica holds the whole model, takes its slice of each global
 * batch, and the gradients are averaged before every optimizer step, so all replicas stay equal).
 * Replica 0 writes the run directory; the others write nothing.
 */
public interface Replicas {
  /** This replica's index, 0 .. size - 1. */
  int rank();

  /** The number of replicas. */
  int size();

  /** Replaces each tensor's values, in place, with replica 0's (initial weights, resumed state). */
  void broadcast(List<Tensor> tensors);

  /** Replaces each tensor's values, in place, with their mean over the replicas. */
  void average(List<Tensor> tensors);

  /** Replica 0's value of a few numbers (step counters), returned on every replica. */
  long[] broadcast(long[] values);

  /** One process, nothing to exchange. */
  Replicas SINGLE = new Replicas() {
    @Override
    public int rank() {
      return 0;
    }

    @Override
    public int size() {
      return 1;
    }

    @Override
    public void broadcast(List<Tensor> tensors) {}

    @Override
    public void average(List<Tensor> tensors) {}

    @Override
    public long[] broadcast(long[] values) {
      return values.clone();
    }
  };
}
