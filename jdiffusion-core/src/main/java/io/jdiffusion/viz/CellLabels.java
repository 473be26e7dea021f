package io.jdiffusion.viz;

import io.jdiffusion.image.ImageGrid;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** A grid of images with a line of text under each cell (sample --label: the class and the seed). */
public final class CellLabels {
  /** Height of the text band under each row of cells, in pixels. */
  public static final int BAND = 14;
  /** How much a labelled grid enlarges its images at least, so that the text fits under each. */
  public static final int MIN_UPSCALE = 3;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

  private CellLabels() {}

  /**
   * Draws {@code n} images (C x H x W values in [0, 1] each, in order) in rows of {@code cols}, each
   * enlarged {@code upscale} times, with {@code labels[i]} centred under image i (cut to the cell's
   * width).
   */
  public static BufferedImage render(float[] images, int n, int cols, int channels, int h, int w, int upscale,
      String[] labels) {
    if (labels.length != n) {
      throw new IllegalArgumentException(labels.length + " labels for " + n + " images");
    }
    int pad = ImageGrid.DEFAULT_PADDING;
    int c = Math.min(cols, n);
    int rows = (n + c - 1) / c;
    int cellW = w * upscale;
    int cellH = h * upscale;
    ImageGrid.checkSize(n, c, cellW, cellH, pad, BAND);
    int width = c * (cellW + pad) + pad;
    int height = rows * (cellH + pad + BAND) + pad;
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(new Color(ImageGrid.PADDING_GREY, ImageGrid.PADDING_GREY, ImageGrid.PADDING_GREY));
      g.fillRect(0, 0, width, height);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(FONT);
      FontMetrics fm = g.getFontMetrics();
      int size = channels * h * w;
      for (int i = 0; i < n; i++) {
        int x = pad + (i % c) * (cellW + pad);
        int y = pad + (i / c) * (cellH + pad + BAND);
        float[] one = new float[size];
        System.arraycopy(images, i * size, one, 0, size);
        copy(ImageGrid.toImage(one, 1, channels, h, w, 1, 0, upscale), out, x, y);
        g.setColor(Color.WHITE);
        g.fillRect(x, y + cellH, cellW, BAND);
        String text = fit(labels[i], fm, cellW - 2);
        g.setColor(Color.DARK_GRAY);
        g.drawString(text, x + (cellW - fm.stringWidth(text)) / 2, y + cellH + (BAND + fm.getAscent() - fm.getDescent()) / 2);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Copies {@code cell}'s pixel values into {@code out} at (x, y). A grey image is copied by its byte
   * values: drawing it with Graphics2D would convert them from a linear grey space to sRGB and change
   * every tone.
   */
  private static void copy(BufferedImage cell, BufferedImage out, int x, int y) {
    boolean grey = cell.getType() == BufferedImage.TYPE_BYTE_GRAY;
    for (int j = 0; j < cell.getHeight(); j++) {
      for (int i = 0; i < cell.getWidth(); i++) {
        int v = grey ? cell.getRaster().getSample(i, j, 0) : -1;
        out.setRGB(x + i, y + j, grey ? (v << 16) | (v << 8) | v : cell.getRGB(i, j));
      }
    }
  }

  /** {@code s}, cut with ".." until it fits {@code width} pixels. */
  private static String fit(String s, FontMetrics fm, int width) {
    if (fm.stringWidth(s) <= width) {
      return s;
    }
    String t = s;
    while (t.length() > 1 && fm.stringWidth(t + "..") > width) {
      t = t.substring(0, t.length() - 1);
    }
    return t + "..";
  }
}
