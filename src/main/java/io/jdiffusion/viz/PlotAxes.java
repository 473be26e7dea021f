package io.jdiffusion.viz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The mapping from data to pixels of a 2-D plot, with "nice" tick positions: linear x, linear or
 * logarithmic y, and a plot area [left, right] x [top, bottom] in pixels (y grows downwards).
 */
public final class PlotAxes {
  private final double xMin;
  private final double xMax;
  private final double yMin;
  private final double yMax;
  private final boolean logY;
  private final int left;
  private final int top;
  private final int right;
  private final int bottom;

  /**
   * @param logY logarithmic y axis; the y range must then be positive
   */
  public PlotAxes(double xMin, double xMax, double yMin, double yMax, boolean logY, int left, int top, int right,
      int bottom) {
    if (!(xMax > xMin) || !(yMax > yMin)) {
      throw new IllegalArgumentException("empty data range x [" + xMin + ", " + xMax + "], y [" + yMin + ", " + yMax + "]");
    }
    if (logY && !(yMin > 0)) {
      throw new IllegalArgumentException("a logarithmic axis needs positive values, got minimum " + yMin);
    }
    if (right <= left || bottom <= top) {
      throw new IllegalArgumentException("empty plot area");
    }
    this.xMin = xMin;
    this.xMax = xMax;
    this.yMin = yMin;
    this.yMax = yMax;
    this.logY = logY;
    this.left = left;
    this.top = top;
    this.right = right;
    this.bottom = bottom;
  }

  public int left() {
    return left;
  }

  public int top() {
    return top;
  }

  public int right() {
    return right;
  }

  public int bottom() {
    return bottom;
  }

  public boolean logY() {
    return logY;
  }

  /** The pixel column of data x. */
  public double px(double x) {
    return left + (x - xMin) / (xMax - xMin) * (right - left);
  }

  /** The pixel row of data y (larger y is higher up, so a smaller row). */
  public double py(double y) {
    double f = logY ? (Math.log(y) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin)) : (y - yMin) / (yMax - yMin);
    return bottom - f * (bottom - top);
  }

  /** Tick positions on x: multiples of 1, 2 or 5 times a power of ten, about 6 of them. */
  public double[] xTicks() {
    return linearTicks(xMin, xMax, 6);
  }

  /**
   * Tick positions on y: linear as on x; on a log axis the powers of ten in range, with 2 and 5
   * times them when fewer than three decades are spanned, and linear ticks when even that gives
   * fewer than two.
   */
  public double[] yTicks() {
    if (!logY) {
      return linearTicks(yMin, yMax, 6);
    }
    List<Double> t = new ArrayList<>();
    int lo = (int) Math.floor(Math.log10(yMin));
    int hi = (int) Math.ceil(Math.log10(yMax));
    double[] mantissas = hi - lo < 3 ? new double[] {1, 2, 5} : new double[] {1};
    for (int e = lo; e <= hi; e++) {
      for (double m : mantissas) {
        double v = m * Math.pow(10, e);
        if (v >= yMin * (1 - 1e-9) && v <= yMax * (1 + 1e-9)) {
          t.add(v);
        }
      }
    }
    if (t.size() < 2) {
      return linearTicks(yMin, yMax, 4);
    }
    return t.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Multiples of a step of 1, 2 or 5 times a power of ten inside [lo, hi], about {@code target} of them. */
  static double[] linearTicks(double lo, double hi, int target) {
    double raw = (hi - lo) / target;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = mag;
    for (double m : new double[] {1, 2, 5, 10}) {
      step = m * mag;
      if (step >= raw) {
        break;
      }
    }
    List<Double> t = new ArrayList<>();
    for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return t.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** A short tick label: plain digits without trailing zeros, or scientific notation for extremes. */
  public static String label(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      String s = String.format(Locale.ROOT, "%.1e", v);
      return s.replace(".0e", "e").replace("e+0", "e").replace("e-0", "e-").replace("e+", "e");
    }
    String s = String.format(Locale.ROOT, "%.4f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
