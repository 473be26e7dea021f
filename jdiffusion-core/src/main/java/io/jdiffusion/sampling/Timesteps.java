package io.jdiffusion.sampling;

import java.util.Locale;

/**
 * Which of the T training timesteps a sampler visits with N steps, diffusers' {@code timestep_spacing}
 * (see also Lin et al. 2024, Table 2), computed as diffusers computes it: numpy's {@code arange} and
 * {@code linspace} in float64, then {@code round} (half to even), so that the integers equal diffusers'
 * for every N. {@code offset} is diffusers' {@code steps_offset}, added to leading timesteps only.
 */
public enum Timesteps {
  /** t = i * (T // N) + offset for i = N-1 .. 0 (DDIM paper; never reaches T-1 unless N = T). */
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

  /** The name diffusers uses, e.g. {@code leading}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The N timesteps to visit, in descending order, each in [0, T) (no offset). */
  public int[] select(int trainSteps, int steps) {
    return select(trainSteps, steps, 0);
  }

  /**
   * The N timesteps of DDPMScheduler, DDIMScheduler and (with {@code plms}) PNDMScheduler, descending.
   *
   * @param offset steps_offset, added to leading spacing
   */
  public int[] select(int trainSteps, int steps, int offset) {
    check(trainSteps, steps);
    double[] t = switch (this) {
      case LEADING -> reverse(scale(arange(steps), trainSteps / steps));
      case TRAILING -> trailing(trainSteps, steps);
      case LINSPACE -> reverse(linspace(0, trainSteps - 1, steps));
    };
    int[] out = rint(t);
    if (this == LEADING) {
      for (int i = 0; i < out.length; i++) {
        out[i] += offset;
      }
    }
    return out;
  }

  /**
   * The N timesteps of the multistep solvers (DPMSolverMultistepScheduler, UniPCMultistepScheduler),
   * descending: linspace and leading take N + 1 points and drop the last (t = 0), so that the run
   * ends above t = 0 and the final step goes to the clean image.
   */
  public int[] selectSolver(int trainSteps, int steps, int offset) {
    check(trainSteps, steps);
    return switch (this) {
      case LINSPACE -> drop(rint(reverse(linspace(0, trainSteps - 1, steps + 1))));
      case LEADING -> {
        int[] t = drop(rint(reverse(scale(arange(steps + 1), trainSteps / (steps + 1)))));
        for (int i = 0; i < t.length; i++) {
          t[i] += offset;
        }
        yield t;
      }
      case TRAILING -> rint(trailing(trainSteps, steps));
    };
  }

  /**
   * The N fractional timesteps of the sigma samplers (EulerDiscreteScheduler, LMS, Heun, Euler a),
   * descending: linspace is not rounded there.
   */
  public double[] selectContinuous(int trainSteps, int steps, int offset) {
    check(trainSteps, steps);
    if (this == LINSPACE) {
      return reverse(linspace(0, trainSteps - 1, steps));
    }
    int[] t = select(trainSteps, steps, offset);
    double[] out = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      out[i] = t[i];
    }
    return out;
  }

  /**
   * round(arange(T, 0, -T/N)) - 1. For some N (61, 103, 121, ... with T = 1000) numpy's arange yields
   * N + 1 values, the last rounding to timestep -1, which diffusers keeps (and then indexes from the
   * end); jdiffusion keeps the first N.
   */
  private static double[] trailing(int trainSteps, int steps) {
    double[] t = minus(arange(trainSteps, 0, -(double) trainSteps / steps), 1);
    return t.length > steps ? java.util.Arrays.copyOf(t, steps) : t;
  }

  private static void check(int trainSteps, int steps) {
    if (steps < 1 || steps > trainSteps) {
      throw new IllegalArgumentException(
          "number of sampling steps must be in [1, " + trainSteps + "], got " + steps);
    }
  }

  /** numpy.arange(n) as doubles. */
  static double[] arange(int n) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /**
   * numpy.arange(start, stop, step) in float64: ceil((stop - start) / step) values start + i delta, where
   * numpy's fill takes delta = (start + step) - start, not step itself (they differ in the last bit for
   * e.g. T = 1000, N = 48).
   */
  static double[] arange(double start, double stop, double step) {
    int n = (int) Math.max(0, Math.ceil((stop - start) / step));
    double[] a = new double[n];
    double delta = (start + step) - start;
    for (int i = 0; i < n; i++) {
      a[i] = i == 1 ? start + step : start + i * delta;
    }
    return a;
  }

  /** numpy.linspace(start, stop, n) in float64: i * step + start, the last value exactly stop. */
  static double[] linspace(double start, double stop, int n) {
    double[] a = new double[n];
    if (n == 1) {
      a[0] = start;
      return a;
    }
    double step = (stop - start) / (n - 1);
    for (int i = 0; i < n; i++) {
      a[i] = i * step + start;
    }
    a[n - 1] = stop;
    return a;
  }

  private static double[] scale(double[] a, double k) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] * k;
    }
    return out;
  }

  private static double[] minus(double[] a, double k) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Math.rint(a[i]) - k;
    }
    return out;
  }

  private static double[] reverse(double[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[a.length - 1 - i];
    }
    return out;
  }

  /** numpy.round: half to even. */
  private static int[] rint(double[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (int) Math.rint(a[i]);
    }
    return out;
  }

  private static int[] drop(int[] a) {
    return java.util.Arrays.copyOf(a, a.length - 1);
  }
}
