package io.jdiffusion.nn;

/**
 * Counts the floating-point operations of the forward passes run on this thread while counting is
 * on (one multiply-add = 2 FLOPs), for the benchmark's hardware-ceiling figure. Only convolutions,
 * linear layers and attention products are counted: the element-wise rest is below 1%.
 */
public final class FlopCounter {
  private static final ThreadLocal<long[]> COUNT = new ThreadLocal<>();

  private FlopCounter() {}

  /** Starts counting from zero on this thread. */
  public static void start() {
    COUNT.set(new long[1]);
  }

  /** Stops counting and returns the FLOPs counted since {@link #start}. */
  public static long stop() {
    long[] c = COUNT.get();
    COUNT.remove();
    return c == null ? 0 : c[0];
  }

  static void add(long flops) {
    long[] c = COUNT.get();
    if (c != null) {
      c[0] += flops;
    }
  }
}
