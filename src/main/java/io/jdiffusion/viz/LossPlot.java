package io.jdiffusion.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;

/**
 * A training-loss curve drawn with Java2D: the raw logged values as a thin light line, their
 * exponential moving average as a thick dark one, axes with ticks, tick labels and titles, a light
 * grid and a legend above the plot area. The y axis is logarithmic when asked and every value is
 * positive, linear otherwise.
 */
public final class LossPlot {
  /** Colour of the raw series. */
  public static final Color RAW = new Color(0x9E, 0xC5, 0xE8);
  /** Colour of the smoothed series. */
  public static final Color SMOOTH = new Color(0xD9, 0x48, 0x0F);
  private static final Color GRID = new Color(0xE6, 0xE6, 0xE6);
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final int MARGIN_LEFT = 72;
  private static final int MARGIN_RIGHT = 24;
  private static final int MARGIN_TOP = 40;
  private static final int MARGIN_BOTTOM = 48;

  private LossPlot() {}

  /**
   * How to draw.
   *
   * @param width picture width in pixels
   * @param height picture height in pixels
   * @param logY logarithmic loss axis (ignored when a value is not positive)
   * @param smoothing EMA weight in [0, 1): 0 draws the raw values again, 0.9 averages over about 10 rows
   * @param title text above the plot
   */
  public record Style(int width, int height, boolean logY, double smoothing, String title) {
    public Style {
      if (width < MARGIN_LEFT + MARGIN_RIGHT + 40 || height < MARGIN_TOP + MARGIN_BOTTOM + 40) {
        throw new IllegalArgumentException("a loss plot needs at least " + (MARGIN_LEFT + MARGIN_RIGHT + 40) + "x"
            + (MARGIN_TOP + MARGIN_BOTTOM + 40) + " pixels, got " + width + "x" + height);
      }
      if (!(smoothing >= 0 && smoothing < 1)) {
        throw new IllegalArgumentException("smoothing must be in [0, 1), got " + smoothing);
      }
    }

    /** 800 x 400, log scale, EMA weight 0.9. */
    public static Style defaults(String title) {
      return new Style(800, 400, true, 0.9, title);
    }
  }

  /**
   * An EMA weight that averages over about a twentieth of the curve: 1 - 20 / rows, within [0,
   * 0.99] (no smoothing up to 20 rows, 0.67 for the quick preset's 60 rows, 0.99 from 2000 rows).
   */
  public static double autoSmoothing(int rows) {
    return Math.max(0, Math.min(0.99, 1 - 20.0 / Math.max(1, rows)));
  }

  /**
   * The exponential moving average of TensorBoard's smoothing, debiased so that it starts at the
   * first value: m_i = w m_{i-1} + (1 - w) v_i, m_{-1} = 0, reported as m_i / (1 - w^{i+1}).
   */
  public static double[] ema(double[] v, double weight) {
    double[] out = new double[v.length];
    double m = 0;
    double wPow = 1;
    for (int i = 0; i < v.length; i++) {
      m = weight * m + (1 - weight) * v[i];
      wPow *= weight;
      out[i] = m / (1 - wPow);
    }
    return out;
  }

  /** The axes {@link #render} draws on for these data (the same pixel mapping). */
  public static PlotAxes axes(double[] x, double[] y, Style style) {
    check(x, y);
    double xMin = x[0];
    double xMax = x[x.length - 1];
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (double v : y) {
      yMin = Math.min(yMin, v);
      yMax = Math.max(yMax, v);
    }
    boolean log = style.logY() && yMin > 0;
    if (xMax <= xMin) {
      xMin -= 1;
      xMax += 1;
    }
    if (log) {
      double pad = Math.max(Math.log(yMax / yMin) * 0.05, Math.log(1.1));
      yMin = yMin / Math.exp(pad);
      yMax = yMax * Math.exp(pad);
    } else {
      double pad = yMax > yMin ? (yMax - yMin) * 0.05 : Math.max(Math.abs(yMax) * 0.1, 1e-3);
      yMin -= pad;
      yMax += pad;
    }
    return new PlotAxes(xMin, xMax, yMin, yMax, log, MARGIN_LEFT, MARGIN_TOP, style.width() - MARGIN_RIGHT,
        style.height() - MARGIN_BOTTOM);
  }

  /**
   * Draws loss y over steps x.
   *
   * @param x steps, increasing
   * @param y loss per step (finite)
   */
  public static BufferedImage render(double[] x, double[] y, Style style) {
    PlotAxes a = axes(x, y, style);
    BufferedImage img = new BufferedImage(style.width(), style.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, style.width(), style.height());
      drawGridAndTicks(g, a);
      g.setClip(a.left(), a.top(), a.right() - a.left() + 1, a.bottom() - a.top() + 1);
      drawSeries(g, a, x, y, RAW, 1.2f);
      drawSeries(g, a, x, ema(y, style.smoothing()), SMOOTH, 2.4f);
      g.setClip(null);
      g.setColor(Color.BLACK);
      g.setStroke(new BasicStroke(1f));
      g.drawRect(a.left(), a.top(), a.right() - a.left(), a.bottom() - a.top());
      drawTitles(g, a, style);
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void drawGridAndTicks(Graphics2D g, PlotAxes a) {
    g.setFont(FONT);
    FontMetrics fm = g.getFontMetrics();
    g.setStroke(new BasicStroke(1f));
    for (double t : a.xTicks()) {
      int px = (int) Math.round(a.px(t));
      g.setColor(GRID);
      g.drawLine(px, a.top(), px, a.bottom());
      g.setColor(Color.BLACK);
      g.drawLine(px, a.bottom(), px, a.bottom() + 5);
      String s = PlotAxes.label(t);
      g.drawString(s, px - fm.stringWidth(s) / 2, a.bottom() + 7 + fm.getAscent());
    }
    for (double t : a.yTicks()) {
      int py = (int) Math.round(a.py(t));
      g.setColor(GRID);
      g.drawLine(a.left(), py, a.right(), py);
      g.setColor(Color.BLACK);
      g.drawLine(a.left() - 5, py, a.left(), py);
      String s = PlotAxes.label(t);
      g.drawString(s, a.left() - 8 - fm.stringWidth(s), py + (fm.getAscent() - fm.getDescent()) / 2);
    }
  }

  private static void drawSeries(Graphics2D g, PlotAxes a, double[] x, double[] y, Color color, float width) {
    g.setColor(color);
    if (x.length == 1) {
      double r = width + 1.5;
      g.fill(new Ellipse2D.Double(a.px(x[0]) - r, a.py(y[0]) - r, 2 * r, 2 * r));
      return;
    }
    Path2D.Double path = new Path2D.Double();
    path.moveTo(a.px(x[0]), a.py(y[0]));
    for (int i = 1; i < x.length; i++) {
      path.lineTo(a.px(x[i]), a.py(y[i]));
    }
    g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(path);
  }

  private static void drawTitles(Graphics2D g, PlotAxes a, Style style) {
    g.setColor(Color.BLACK);
    g.setFont(TITLE);
    g.drawString(style.title(), a.left(), 24);
    g.setFont(FONT);
    FontMetrics fm = g.getFontMetrics();
    String xTitle = "step";
    g.drawString(xTitle, (a.left() + a.right() - fm.stringWidth(xTitle)) / 2, style.height() - 8);
    String yTitle = a.logY() ? "loss (log scale)" : "loss";
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(yTitle, -(a.top() + a.bottom() + fm.stringWidth(yTitle)) / 2, 16);
    g.setTransform(saved);
    String smooth = String.format(java.util.Locale.ROOT, "EMA %.2f", style.smoothing());
    int x = a.right() - fm.stringWidth("raw") - fm.stringWidth(smooth) - 70;
    int y = 24;
    legend(g, x, y, RAW, 1.2f, "raw");
    legend(g, x + 30 + fm.stringWidth("raw") + 10, y, SMOOTH, 2.4f, smooth);
  }

  private static void legend(Graphics2D g, int x, int y, Color color, float width, String text) {
    g.setColor(color);
    g.setStroke(new BasicStroke(width));
    g.drawLine(x, y - 4, x + 24, y - 4);
    g.setColor(Color.BLACK);
    g.drawString(text, x + 30, y);
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " steps but " + y.length + " losses");
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("no loss values to plot");
    }
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
        throw new IllegalArgumentException("non-finite value at row " + i + ": step " + x[i] + ", loss " + y[i]);
      }
      if (i > 0 && x[i] < x[i - 1]) {
        throw new IllegalArgumentException("steps must not decrease (row " + i + ": " + x[i - 1] + " then " + x[i] + ")");
      }
    }
  }
}
