package io.jdiffusion.schedule;

/**
 * The forward process's settings, saved as JSON beside the weights.
 *
 * @param betaSchedule linear, cosine, quadratic or sigmoid
 * @param steps T
 * @param betaStart first beta (linear, quadratic, sigmoid)
 * @param betaEnd last beta (linear, quadratic, sigmoid)
 */
public record ScheduleConfig(String betaSchedule, int steps, double betaStart, double betaEnd) {
  public ScheduleConfig {
    BetaSchedule.parse(betaSchedule);
    if (steps < 2 || steps > 100_000) {
      throw new IllegalArgumentException("diffusion steps T must be between 2 and 100000, got " + steps);
    }
  }

  public static ScheduleConfig defaults() {
    return new ScheduleConfig("linear", 1000, 1e-4, 0.02);
  }

  public NoiseSchedule build() {
    return new NoiseSchedule(BetaSchedule.parse(betaSchedule), steps, betaStart, betaEnd);
  }
}
