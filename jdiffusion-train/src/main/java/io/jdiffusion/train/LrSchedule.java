package io.jdiffusion.train;

import java.util.Locale;

/** Learning rate per step: linear warm-up, then constant or cosine decay to 0 at the last step. */
public enum LrSchedule {
  CONSTANT,
  COSINE;

  public static LrSchedule parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown lr schedule '" + s + "' (expected constant or cosine)");
    }
  }

  /**
   * The rate for 0-based {@code step} of {@code total}: lr * (step + 1) / warmup during warm-up,
   * then lr (constant) or lr * (1 + cos(pi * progress)) / 2 (cosine, Loshchilov &amp; Hutter 2017).
   */
  public double at(int step, int total, double lr, int warmup) {
    if (step < warmup) {
      return lr * (step + 1) / warmup;
    }
    if (this == CONSTANT || total <= warmup) {
      return lr;
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
  }
}
