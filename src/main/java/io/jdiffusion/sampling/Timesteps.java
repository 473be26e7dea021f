package io.jdiffusion.sampling;

import java.util.Locale;

/**
 * Which of the T training timesteps a sampler visits with N steps, as in diffusers' schedulers
 * ({@code timestep_spacing}); see also Lin et al. 2024, Table 2.
 */
public enum Timesteps {
  /** t = i * (T / N) for i = N-1 .. 0 (DDIM paper; never reaches T-1 unless N = T). */
  LEADING,
  /** t = round(T - i * T / N) - 1 for i = 0 .. N-1 (starts at T-1). */
  TRAILING,
  /** t = round(linspace(0, T-1, N)), descending. */
  LINSPACE;

  public static Timesteps parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown timestep spacing '" + s + "' (expected leading, trailing or linspace)");
    }
  }

  /** The N timesteps to visit, in descending order, each in [0, T). */
  public int[] select(int trainSteps, int steps) {
    if (steps < 1 || steps > trainSteps) {
      throw new IllegalArgumentException(
          "number of sampling steps must be in [1, " + trainSteps + "], got " + steps);
    }
    int[] t = new int[steps];
    switch (this) {
      case LEADING -> {
        int ratio = trainSteps / steps;
        for (int i = 0; i < steps; i++) {
          t[i] = (steps - 1 - i) * ratio;
        }
      }
      case TRAILING -> {
        double ratio = (double) trainSteps / steps;
        for (int i = 0; i < steps; i++) {
          t[i] = (int) Math.round(trainSteps - i * ratio) - 1;
        }
      }
      case LINSPACE -> {
        for (int i = 0; i < steps; i++) {
          double v = steps == 1 ? 0 : (double) (trainSteps - 1) * (steps - 1 - i) / (steps - 1);
          t[i] = (int) Math.round(v);
        }
      }
    }
    return t;
  }
}
