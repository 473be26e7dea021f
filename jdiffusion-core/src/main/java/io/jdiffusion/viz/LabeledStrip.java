package io.jdiffusion.viz;

import io.jdiffusion.image.ImageGrid;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * A grid of images ({@link ImageGrid#toImage}) framed by text: a label left of each row, a label
 * under each column and a caption line at the bottom, on white. Used for the forward and reverse
 * strips and for the frames of the denoising GIF.
 */
public final class LabeledStrip {
  /** Height of the column-label band and of the caption band, in pixels. */
  public static final int BAND = 16;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private LabeledStrip() {}

  /**
   * Where the pieces of a strip go.
   *
   * @param left width of the row-label margin (the grid starts there)
   * @param cellW width of one grid cell (image width times upscale)
   * @param cellH height of one grid cell
   * @param width width of the whole picture
   * @param height height of the whole picture
   */
  public record Layout(int left, int rows, int cols, int cellW, int cellH, int width, int height) {
    /** Top-left pixel of the image in row r, column c. */
    public int cellX(int c) {
      return left + ImageGrid.DEFAULT_PADDING + c * (cellW + ImageGrid.DEFAULT_PADDING);
    }

    public int cellY(int r) {
      return ImageGrid.DEFAULT_PADDING + r * (cellH + ImageGrid.DEFAULT_PADDING);
    }

    /** Height of the image grid, without the text bands. */
    public int gridHeight() {
      return rows * (cellH + ImageGrid.DEFAULT_PADDING) + ImageGrid.DEFAULT_PADDING;
    }
  }

  /** The layout {@link #render} uses for these arguments. */
  public static Layout layout(int rows, int cols, int h, int w, int upscale, String[] rowLabels, String[] colLabels,
      String caption) {
    int left = 0;
    if (rowLabels != null) {
      FontMetrics fm = metrics();
      for (String s : rowLabels) {
        left = Math.max(left, fm.stringWidth(s) + 8);
      }
    }
    int cellW = w * upscale;
    int cellH = h * upscale;
    int gridW = cols * (cellW + ImageGrid.DEFAULT_PADDING) + ImageGrid.DEFAULT_PADDING;
    int gridH = rows * (cellH + ImageGrid.DEFAULT_PADDING) + ImageGrid.DEFAULT_PADDING;
    int height = gridH + (colLabels != null ? BAND : 0) + (caption != null ? BAND : 0);
    int width = left + gridW;
    if (caption != null) {
      width = Math.max(width, metrics().stringWidth(caption) + 8);
    }
    return new Layout(left, rows, cols, cellW, cellH, width, height);
  }

  /**
   * Draws rows x cols images (row-major, C x H x W values in [0, 1] each) with the given labels.
   *
   * @param rowLabels one per row, or null for no row-label margin
   * @param colLabels one per column, or null for no column-label band
   * @param caption a line under everything, or null
   * @return an RGB picture of {@link #layout}'s size
   */
  public static BufferedImage render(float[] images, int rows, int cols, int channels, int h, int w, int upscale,
      String[] rowLabels, String[] colLabels, String caption) {
    if (rowLabels != null && rowLabels.length != rows) {
      throw new IllegalArgumentException(rowLabels.length + " row labels for " + rows + " rows");
    }
    if (colLabels != null && colLabels.length != cols) {
      throw new IllegalArgumentException(colLabels.length + " column labels for " + cols + " columns");
    }
    Layout l = layout(rows, cols, h, w, upscale, rowLabels, colLabels, caption);
    BufferedImage grid = ImageGrid.toImage(images, rows * cols, channels, h, w, cols, ImageGrid.DEFAULT_PADDING,
        upscale);
    BufferedImage out = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, l.width(), l.height());
      g.drawImage(grid, l.left(), 0, null);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(FONT);
      g.setColor(Color.DARK_GRAY);
      FontMetrics fm = g.getFontMetrics();
      int baseline = (BAND + fm.getAscent() - fm.getDescent()) / 2;
      if (rowLabels != null) {
        for (int r = 0; r < rows; r++) {
          int y = l.cellY(r) + l.cellH() / 2 + (fm.getAscent() - fm.getDescent()) / 2;
          g.drawString(rowLabels[r], l.left() - 4 - fm.stringWidth(rowLabels[r]), y);
        }
      }
      int y = l.gridHeight();
      if (colLabels != null) {
        for (int c = 0; c < cols; c++) {
          int x = l.cellX(c) + (l.cellW() - fm.stringWidth(colLabels[c])) / 2;
          g.drawString(colLabels[c], x, y + baseline);
        }
        y += BAND;
      }
      if (caption != null) {
        g.drawString(caption, 4, y + baseline);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static FontMetrics metrics() {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    try {
      return g.getFontMetrics(FONT);
    } finally {
      g.dispose();
    }
  }
}
