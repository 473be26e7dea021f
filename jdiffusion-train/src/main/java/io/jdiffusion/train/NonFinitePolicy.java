package io.jdiffusion.train;

import java.util.Locale;

/**
 * What training does when a step's loss or gradient norm is NaN or infinite. Such a step is never
 * applied: not to the weights, the AdamW moments or the EMA, and so never to a checkpoint.
 */
public enum NonFinitePolicy {
  /** Stop the run; the newest checkpoint holds the last good state (default). */
  STOP,
  /**
   * Drop the step and go on, counting it; stop anyway after {@link #MAX_CONSECUTIVE_SKIPS} in a row
   * (the weights would never change again).
   */
  SKIP;

  /** Consecutive skipped steps after which {@link #SKIP} stops too. */
  public static final int MAX_CONSECUTIVE_SKIPS = 10;

  /** Parses "stop" / "skip" (case-insensitive). */
  public static NonFinitePolicy parse(String s) {
    for (NonFinitePolicy p : values()) {
      if (p.name().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown policy '" + s + "' for non-finite steps (expected stop or skip)");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
