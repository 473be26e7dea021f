package io.jdiffusion.cli;

import io.jdiffusion.util.Progress;

/** One line on stderr as a phase longer than a second begins, so that no wait at a terminal is silent. */
final class Phase {
  private Phase() {}

  /**
   * Says that {@code what} begins ("loading model ...", "sampling the final grid ..."); not in quiet
   * mode, and not into logs (only when progress shows as a bar).
   */
  static void begin(String what, boolean quiet) {
    if (!quiet && Progress.detectStyle() == Progress.Style.BAR) {
      System.err.println(what + " ...");
    }
  }
}
