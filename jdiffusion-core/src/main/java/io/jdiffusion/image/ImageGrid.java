package io.jdiffusion.image;

import io.jdiffusion.store.AtomicFiles;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Writes images held as channel-major floats in [0, 1] to PNG files: one image, or many tiled in
 * a grid.
 *
 * <p>Images are stored back to back in one array, {@code channels * h * w} values each; values are
 * clamped to [0, 1] (NaN becomes 0) and rounded to 8 bits. One channel gives a grey PNG, three an
 * RGB PNG. Grid cells are separated, and surrounded, by {@code padding} pixels of mid grey; an
 * integer {@code upscale} factor enlarges every image pixel to an {@code upscale x upscale} block
 * (nearest neighbour) so that small images such as 28x28 are easy to look at. Files are written
 * to a temporary sibling and renamed into place, so readers never see a partial PNG.
 */
public final class ImageGrid {
  /** Default padding between grid cells, in output pixels. */
  public static final int DEFAULT_PADDING = 2;

  /** Grey level of the padding (0..255). */
  public static final int PADDING_GREY = 128;

  private ImageGrid() {}

  /** The grid enlargement for images of this size: small ones (up to 32 pixels) are drawn twice as large. */
  public static int upscaleFor(int size) {
    return size <= 32 ? 2 : 1;
  }

  /**
   * Writes the first {@code n} images as a grid with {@code cols} columns, {@link
   * #DEFAULT_PADDING} pixels of padding and no upscaling.
   */
  public static void writeGrid(Path png, float[] images, int n, int channels, int h, int w, int cols) {
    writeGrid(png, images, n, channels, h, w, cols, DEFAULT_PADDING, 1);
  }

  /** Writes the first {@code n} images as a grid with {@code cols} columns, without upscaling. */
  public static void writeGrid(
      Path png, float[] images, int n, int channels, int h, int w, int cols, int padding) {
    writeGrid(png, images, n, channels, h, w, cols, padding, 1);
  }

  /**
   * Writes the first {@code n} images as a grid with {@code cols} columns (fewer when {@code n <
   * cols}), {@code padding} pixels between and around cells, each image pixel drawn as an {@code
   * upscale x upscale} block.
   */
  public static void writeGrid(
      Path png, float[] images, int n, int channels, int h, int w, int cols, int padding,
      int upscale) {
    writeGrid(png, images, n, channels, h, w, cols, padding, upscale, Map.of());
  }

  /** {@link #writeGrid(Path, float[], int, int, int, int, int, int, int)} with provenance text chunks. */
  public static void writeGrid(
      Path png, float[] images, int n, int channels, int h, int w, int cols, int padding,
      int upscale, Map<String, String> text) {
    write(png, toImage(images, n, channels, h, w, cols, padding, upscale), text);
  }

  /** Writes image {@code index} of {@code images} on its own, at its own size. */
  public static void writeImage(Path png, float[] images, int index, int c, int h, int w) {
    writeImage(png, images, index, c, h, w, 1);
  }

  /** Writes image {@code index} of {@code images} on its own, enlarged {@code upscale} times. */
  public static void writeImage(
      Path png, float[] images, int index, int c, int h, int w, int upscale) {
    writeImage(png, images, index, c, h, w, upscale, Map.of());
  }

  /** Writes image {@code index} of {@code images} on its own, enlarged, with provenance text chunks. */
  public static void writeImage(
      Path png, float[] images, int index, int c, int h, int w, int upscale, Map<String, String> text) {
    int size = c * h * w;
    if (index < 0 || (long) (index + 1) * size > images.length) {
      throw new IllegalArgumentException(
          "image " + index + " of " + c + "x" + h + "x" + w + " is beyond the array of "
              + images.length + " values");
    }
    float[] one = new float[size];
    System.arraycopy(images, index * size, one, 0, size);
    write(png, toImage(one, 1, c, h, w, 1, 0, upscale), text);
  }

  /**
   * Renders the first {@code n} images as a grid; see {@link #writeGrid(Path, float[], int, int,
   * int, int, int, int, int)}.
   *
   * @return a {@code TYPE_BYTE_GRAY} image for one channel, {@code TYPE_INT_RGB} for three
   */
  public static BufferedImage toImage(
      float[] images, int n, int channels, int h, int w, int cols, int padding, int upscale) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (n <= 0 || h <= 0 || w <= 0 || cols <= 0 || padding < 0 || upscale <= 0) {
      throw new IllegalArgumentException(
          "bad grid: n=" + n + " h=" + h + " w=" + w + " cols=" + cols + " padding=" + padding
              + " upscale=" + upscale);
    }
    int size = channels * h * w;
    if ((long) n * size > images.length) {
      throw new IllegalArgumentException(
          n + " images of " + channels + "x" + h + "x" + w + " need " + (long) n * size
              + " values, the array has " + images.length);
    }
    int gridCols = Math.min(cols, n);
    int cellW = w * upscale;
    int cellH = h * upscale;
    long[] wh = checkSize(n, cols, cellW, cellH, padding, 0);
    long width = wh[0];
    long height = wh[1];
    BufferedImage out =
        new BufferedImage(
            (int) width,
            (int) height,
            channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    WritableRaster raster = out.getRaster();
    fill(out, raster, channels);
    int plane = h * w;
    int[] px = new int[channels];
    for (int k = 0; k < n; k++) {
      int x0 = padding + (k % gridCols) * (cellW + padding);
      int y0 = padding + (k / gridCols) * (cellH + padding);
      int base = k * size;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < channels; c++) {
            px[c] = toByte(images[base + c * plane + y * w + x]);
          }
          int rgb = channels == 1 ? 0 : (px[0] << 16) | (px[1] << 8) | px[2];
          for (int dy = 0; dy < upscale; dy++) {
            for (int dx = 0; dx < upscale; dx++) {
              int ox = x0 + x * upscale + dx;
              int oy = y0 + y * upscale + dy;
              if (channels == 1) {
                raster.setSample(ox, oy, 0, px[0]);
              } else {
                out.setRGB(ox, oy, rgb);
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static void fill(BufferedImage out, WritableRaster raster, int channels) {
    int w = out.getWidth();
    int h = out.getHeight();
    if (channels == 1) {
      int[] row = new int[w];
      java.util.Arrays.fill(row, PADDING_GREY);
      for (int y = 0; y < h; y++) {
        raster.setSamples(0, y, w, 1, 0, row);
      }
    } else {
      int grey = (PADDING_GREY << 16) | (PADDING_GREY << 8) | PADDING_GREY;
      int[] row = new int[w];
      java.util.Arrays.fill(row, grey);
      for (int y = 0; y < h; y++) {
        out.setRGB(0, y, w, 1, row, 0, w);
      }
    }
  }

  /** Clamps to [0, 1] (NaN to 0) and rounds to 0..255. */
  static int toByte(float v) {
    if (!(v > 0f)) {
      return 0;
    }
    if (v >= 1f) {
      return 255;
    }
    return Math.round(v * 255f);
  }

  /**
   * The width and height of a grid of {@code n} cells of {@code cellW x cellH} pixels in rows of
   * {@code cols}, with {@code padding} between and around cells and {@code band} pixels of text under
   * each row; called before any work so that a grid too large to hold is refused up front.
   *
   * @throws IllegalArgumentException when the picture would exceed Java's image size (2^29 pixels)
   */
  public static long[] checkSize(int n, int cols, int cellW, int cellH, int padding, int band) {
    int gridCols = Math.min(cols, n);
    long rows = (n + gridCols - 1) / gridCols;
    long width = (long) gridCols * (cellW + padding) + padding;
    long height = rows * (cellH + padding + band) + padding;
    if (width * height > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("a grid of " + n + " images in " + gridCols + " columns would be " + width + "x"
          + height + " pixels, too large for one picture; use fewer images or more columns (--each writes them one by one)");
    }
    return new long[] {width, height};
  }

  /** Encodes {@code image} as PNG into {@code png} via a temporary file and an atomic rename. */
  public static void write(Path png, BufferedImage image) {
    write(png, image, Map.of());
  }

  /**
   * Encodes {@code image} as PNG into {@code png} via a temporary file and an atomic rename, with a
   * "Software" text chunk naming this tool and its version, then the chunks of {@code text}
   * (provenance: model, sampler, seeds, ...; see {@link PngText}).
   */
  public static void write(Path png, BufferedImage image, Map<String, String> text) {
    Map<String, String> chunks = new java.util.LinkedHashMap<>();
    chunks.put("Software", "jdiffusion " + io.jdiffusion.util.ToolVersion.get());
    chunks.putAll(text);
    try {
      AtomicFiles.write(png, out -> PngText.write(image, chunks, out));
    } catch (IOException e) {
      throw new UncheckedIOException(png + ": cannot write PNG (" + e.getMessage() + ")", e);
    }
  }
}
