package io.jdiffusion.schedule;

/**
 * The forward process's settings, saved as JSON beside the weights.
 *
 * @param betaSchedule linear, cosine, quadratic or sigmoid
 * @param steps T
 * @param betaStart first beta (linear, quadratic, sigmoid)
 * @param betaEnd last beta (linear, quadratic, sigmoid)
 */
public record ScheduleConfig(BetaSchedule betaSchedule, int steps, double betaStart, double betaEnd) {
  public ScheduleConfig {
    if (betaSchedule == null) {
      throw new IllegalArgumentException("a beta schedule must be given (linear, cosine, quadratic or sigmoid)");
    }
    if (steps < 2 || steps > 100_000) {
      throw new IllegalArgumentException("diffusion steps T must be between 2 and 100000, got " + steps);
    }
  }

  public static ScheduleConfig defaults() {
    return linear(1000, 1e-4, 0.02);
  }

  /** Linear betas from betaStart to betaEnd over T steps (Ho et al. 2020). */
  public static ScheduleConfig linear(int steps, double betaStart, double betaEnd) {
    return new ScheduleConfig(BetaSchedule.LINEAR, steps, betaStart, betaEnd);
  }

  public NoiseSchedule build() {
    return new NoiseSchedule(betaSchedule, steps, betaStart, betaEnd);
  }
}
