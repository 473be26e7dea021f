package io.jdiffusion.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Locale;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A training-loss curve drawn with JFreeChart: the raw logged values as a thin light line, their
 * exponential moving average as a thick dark one on top, axes with ticks and titles, a light grid and
 * a legend. The y axis is logarithmic when asked and every value is positive, linear otherwise.
 */
public final class LossPlot {
  /** Colour of the raw series. */
  public static final Color RAW = new Color(0x9E, 0xC5, 0xE8);
  /** Colour of the smoothed series. */
  public static final Color SMOOTH = new Color(0xD9, 0x48, 0x0F);
  private static final Color GRID = new Color(0xD0, 0xD0, 0xD0);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final int MIN_WIDTH = 200;
  private static final int MIN_HEIGHT = 150;
  private static final int MAX_SIDE = 10_000;

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
      if (width < MIN_WIDTH || height < MIN_HEIGHT || width > MAX_SIDE || height > MAX_SIDE) {
        throw new IllegalArgumentException("a loss plot needs between " + MIN_WIDTH + "x" + MIN_HEIGHT + " and " + MAX_SIDE
            + "x" + MAX_SIDE + " pixels, got " + width + "x" + height);
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
   * A drawn plot and the mapping from data to its pixels.
   *
   * @param dataArea the plot area in pixels
   * @param logY whether the loss axis is logarithmic
   */
  public record Picture(BufferedImage image, Rectangle2D dataArea, boolean logY, ValueAxis xAxis, ValueAxis yAxis) {
    /** Pixel column of step x. */
    public double px(double x) {
      return xAxis.valueToJava2D(x, dataArea, RectangleEdge.BOTTOM);
    }

    /** Pixel row of loss y (larger losses are higher up: smaller rows). */
    public double py(double y) {
      return yAxis.valueToJava2D(y, dataArea, RectangleEdge.LEFT);
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

  /** Draws loss y over steps x (steps increasing, values finite). */
  public static BufferedImage render(double[] x, double[] y, Style style) {
    return draw(x, y, style).image();
  }

  /** {@link #render}, with the data-to-pixel mapping of the picture. */
  public static Picture draw(double[] x, double[] y, Style style) {
    check(x, y);
    double[] smooth = ema(y, style.smoothing());
    XYSeries raw = new XYSeries("raw", false, true);
    XYSeries ema = new XYSeries(String.format(Locale.ROOT, "EMA %.2f", style.smoothing()), false, true);
    boolean log = style.logY();
    for (int i = 0; i < x.length; i++) {
      raw.add(x[i], y[i]);
      ema.add(x[i], smooth[i]);
      log &= y[i] > 0;
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(raw);
    data.addSeries(ema);
    NumberAxis xAxis = new NumberAxis("step");
    xAxis.setAutoRangeIncludesZero(false);
    ValueAxis yAxis;
    if (log) {
      yAxis = new RoundLogAxis("loss (log scale)");
    } else {
      NumberAxis n = new NumberAxis("loss");
      n.setAutoRangeIncludesZero(false);
      yAxis = n;
    }
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, x.length == 1);
    lines.setSeriesPaint(0, RAW);
    lines.setSeriesStroke(0, new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    lines.setSeriesShape(0, new Ellipse2D.Double(-2.7, -2.7, 5.4, 5.4));
    lines.setSeriesPaint(1, SMOOTH);
    lines.setSeriesStroke(1, new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    lines.setSeriesShape(1, new Ellipse2D.Double(-3.9, -3.9, 7.8, 7.8));
    XYPlot plot = new XYPlot(data, xAxis, yAxis, lines);
    plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // the EMA on top of the raw values
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlinePaint(Color.BLACK);
    JFreeChart chart = new JFreeChart(style.title(), TITLE, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getLegend().setPosition(RectangleEdge.TOP);
    chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
    ChartRenderingInfo info = new ChartRenderingInfo();
    BufferedImage img = chart.createBufferedImage(style.width(), style.height(), BufferedImage.TYPE_INT_RGB, info);
    return new Picture(img, info.getPlotInfo().getDataArea(), log, xAxis, yAxis);
  }

  /** A log axis whose ticks sit at 1, 2 and 5 x 10^k (one per decade when more would crowd it). */
  private static final class RoundLogAxis extends LogAxis {
    RoundLogAxis(String label) {
      super(label);
      setSmallestValue(Double.MIN_NORMAL);
    }

    @Override
    protected java.util.List<ValueTick> refreshTicksVertical(java.awt.Graphics2D g2, Rectangle2D dataArea,
        RectangleEdge edge) {
      double lo = getLowerBound();
      double hi = getUpperBound();
      double[] mantissas = Math.log10(hi / lo) > 4 ? new double[] {1} : new double[] {1, 2, 5};
      java.util.List<ValueTick> ticks = new java.util.ArrayList<>();
      for (int k = (int) Math.floor(Math.log10(lo)); k <= (int) Math.ceil(Math.log10(hi)); k++) {
        for (double m : mantissas) {
          double v = m * Math.pow(10, k);
          if (v >= lo && v <= hi) {
            ticks.add(new NumberTick(TickType.MAJOR, v, label(v), org.jfree.chart.ui.TextAnchor.CENTER_RIGHT,
                org.jfree.chart.ui.TextAnchor.CENTER_RIGHT, 0));
          }
        }
      }
      return ticks;
    }

    /** 0.05, 1500, 1e-06: plain decimals from 1e-4 to 1e5, else scientific. */
    private static String label(double v) {
      if (v >= 1e-4 && v < 1e5) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
      }
      return String.format(Locale.ROOT, "%.0e", v);
    }
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
