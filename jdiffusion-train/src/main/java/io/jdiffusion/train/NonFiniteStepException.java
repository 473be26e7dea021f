package io.jdiffusion.train;

/**
 * A training run stopped because a step's loss or gradient was not finite. The step was not applied,
 * so the newest checkpoint (if any) holds the last good state.
 */
public final class NonFiniteStepException extends RuntimeException {
  private final long step;

  public NonFiniteStepException(long step, String message) {
    super(message);
    this.step = step;
  }

  /** The step (counted from 1, as in the logs and metrics.csv) that was not applied. */
  public long step() {
    return step;
  }
}
