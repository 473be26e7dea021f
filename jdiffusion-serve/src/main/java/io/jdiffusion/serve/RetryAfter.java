package io.jdiffusion.serve;

/**
 * The {@code Retry-After} of a 429: how long a refused client should wait for a place in the queue.
 * With K workers busy and the queue full, a place frees when a running request ends, about every
 * (mean run time) / K seconds; the mean is an exponentially weighted one over recently finished
 * requests, so that it follows the requests the server is actually getting. Whole seconds (the
 * header's unit), at least 1. Thread-safe.
 */
final class RetryAfter {
  /** Weight of the newest run time in the mean. */
  static final double WEIGHT = 0.2;

  private final int workers;
  private double meanSeconds = Double.NaN;

  /**
   * @param workers K, the requests computed at once
   */
  RetryAfter(int workers) {
    this.workers = workers;
  }

  /** Records the run time of a finished request (start of its computation to its end). */
  synchronized void finished(double seconds) {
    meanSeconds = Double.isNaN(meanSeconds) ? seconds : meanSeconds + WEIGHT * (seconds - meanSeconds);
  }

  /** The seconds a client refused now should wait: mean run time / K, rounded up, at least 1. */
  synchronized int seconds() {
    if (Double.isNaN(meanSeconds)) {
      return 1;
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(meanSeconds / workers)));
  }
}
