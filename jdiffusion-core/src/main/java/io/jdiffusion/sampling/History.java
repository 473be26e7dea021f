package io.jdiffusion.sampling;

import java.util.ArrayDeque;
import java.util.Deque;
import org.bytedeco.pytorch.Tensor;

/**
 * The last few tensors a multistep sampler keeps from one step to the next (its model outputs),
 * alive past each step's {@link org.bytedeco.javacpp.PointerScope} and released when they fall off
 * the end or the run closes, so memory stays flat over any number of steps.
 */
public final class History implements AutoCloseable {
  private final int capacity;
  private final Deque<Tensor> items = new ArrayDeque<>();

  /** @param capacity how many of the newest tensors to keep */
  public History(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a history keeps at least 1 tensor, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Keeps t as the newest entry, dropping the oldest beyond capacity. */
  public void push(Tensor t) {
    t.retainReference();
    items.addFirst(t);
    if (items.size() > capacity) {
      items.removeLast().releaseReference();
    }
  }

  /** The k-th newest entry: 0 is the one pushed last. */
  public Tensor get(int k) {
    int i = 0;
    for (Tensor t : items) {
      if (i++ == k) {
        return t;
      }
    }
    throw new IndexOutOfBoundsException("history holds " + items.size() + " entries, asked for " + k);
  }

  public int size() {
    return items.size();
  }

  @Override
  public void close() {
    while (!items.isEmpty()) {
      items.removeFirst().releaseReference();
    }
  }
}
