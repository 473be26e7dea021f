package io.jdiffusion.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image file (any format {@link ImageIO} reads: PNG, JPEG, BMP, GIF, ...) into a
 * square, channel-major array of unsigned bytes ready for training.
 *
 * <p>Steps: alpha is composited onto white; the image is converted to the requested number of
 * channels (1: luma {@code 0.299 R + 0.587 G + 0.114 B}; 3: RGB, grey replicated); the shorter
 * side is resized to {@code size} with antialiased bilinear filtering ({@link Resample}) and the
 * central {@code size x size} square kept. Grey images are read from their raster samples, so
 * their values are not altered by Java's linear-grey colour conversion; palette, RGB and other
 * colour models go through {@link BufferedImage#getRGB} (sRGB).
 */
public final class ImageDecoder {
  /** Luma weights (ITU-R BT.601), as used by Pillow's {@code convert("L")}. */
  private static final float LUMA_R = 0.299f;
  private static final float LUMA_G = 0.587f;
  private static final float LUMA_B = 0.114f;

  /** Largest image, in pixels, that {@link #read} decodes (a 16384 x 16384 image). */
  public static final long MAX_PIXELS = 1L << 28;
  /**
   * Largest decoded image, in bytes, that {@link #read} accepts (counted from the header's size and
   * the decoder's sample sizes: a 16-bit RGBA pixel is 8 bytes), so that a small file cannot claim
   * gigabytes of memory.
   */
  public static final long MAX_BYTES = 512L << 20;

  private ImageDecoder() {}

  /**
   * Reads and converts {@code file}; see the class comment.
   *
   * @return {@code channels * size * size} unsigned bytes, channel-major
   * @throws IOException if the file cannot be read or is not an image ImageIO can decode
   */
  public static byte[] decode(Path file, int size, int channels) throws IOException {
    return convert(read(file), size, channels);
  }

  /**
   * Decodes the first image of {@code file}, after checking from its header that it has at most
   * {@link #MAX_PIXELS} pixels, so a corrupt header cannot exhaust the heap.
   *
   * @throws IOException if the file cannot be read, is not in a format ImageIO reads, is corrupt
   *     or truncated, or is too large; the message is one line
   */
  public static BufferedImage read(Path file) throws IOException {
    return read(file, MAX_BYTES);
  }

  /**
   * {@link #read(Path)} with another byte budget. A decoder that warns (JPEG's "Premature end of JPEG
   * file": a truncated file decoded with grey filling the rest) fails the read.
   */
  static BufferedImage read(Path file, long maxBytes) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      return read(in, MAX_PIXELS, maxBytes);
    }
  }

  /**
   * Decodes the first image of an encoded file held in memory (an upload), refusing from its header
   * alone images of more than {@code maxPixels} pixels (at most {@link #MAX_PIXELS}).
   *
   * @throws IOException as {@link #read(Path)}; the message is one line
   */
  public static BufferedImage read(byte[] encoded, long maxPixels) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(encoded))) {
      return read(in, Math.min(maxPixels, MAX_PIXELS), MAX_BYTES);
    }
  }

  private static BufferedImage read(ImageInputStream in, long maxPixels, long maxBytes) throws IOException {
    if (in == null) {
      throw new IOException("cannot open");
    }
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new IOException("not a supported image format");
    }
    ImageReader reader = readers.next();
    try {
      reader.setInput(in, true, true);
      long w = reader.getWidth(0);
      long h = reader.getHeight(0);
      if (w <= 0 || h <= 0 || w * h > maxPixels) {
        throw new IOException("image of " + w + "x" + h + " pixels is empty or too large (at most " + maxPixels
            + " pixels)");
      }
      long bytes = w * h * bytesPerPixel(reader);
      if (bytes > maxBytes) {
        throw new IOException("image of " + w + "x" + h + " pixels would take " + (bytes >> 20) + " MiB to decode, more than "
            + (maxBytes >> 20) + " MiB");
      }
      java.util.List<String> warnings = new java.util.ArrayList<>();
      reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
      BufferedImage image = reader.read(0);
      if (!warnings.isEmpty()) {
        throw new IOException("corrupt or truncated image (" + warnings.get(0) + ")");
      }
      if (image == null) {
        throw new IOException("no image in the file");
      }
      return image;
    } catch (RuntimeException e) { // ImageIO's decoders throw these on some corrupt inputs
      throw new IOException("corrupt image (" + e + ")", e);
    } finally {
      reader.dispose();
    }
  }

  /** Decoded bytes per pixel of the reader's first image type (4, the ARGB case, when it names none). */
  private static long bytesPerPixel(ImageReader reader) throws IOException {
    Iterator<javax.imageio.ImageTypeSpecifier> types = reader.getImageTypes(0);
    if (types == null || !types.hasNext()) {
      return 4;
    }
    java.awt.image.SampleModel sm = types.next().getSampleModel();
    long bits = 0;
    for (int b = 0; b < sm.getNumBands(); b++) {
      bits += sm.getSampleSize(b);
    }
    return Math.max(1, (bits + 7) / 8);
  }

  /**
   * Converts a decoded image; see the class comment.
   *
   * @return {@code channels * size * size} unsigned bytes, channel-major
   */
  public static byte[] convert(BufferedImage image, int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (size <= 0) {
      throw new IllegalArgumentException("size must be positive, got " + size);
    }
    int h = image.getHeight();
    int w = image.getWidth();
    Resample.Axis[] axes = Resample.centerCrop(h, w, size);
    Resample.Axis ys = axes[0];
    Resample.Axis xs = axes[1];
    int y0 = ys.minSource();
    int y1 = ys.maxSource();
    int rowsUsed = y1 - y0;
    int tmpPlane = rowsUsed * size;

    RowReader reader = RowReader.of(image);
    float[] row = new float[channels * w];
    float[] tmp = new float[channels * tmpPlane];
    for (int y = y0; y < y1; y++) {
      reader.read(y, row, channels);
      for (int c = 0; c < channels; c++) {
        xs.apply(row, c * w, 1, tmp, c * tmpPlane + (y - y0) * size, 1);
      }
    }
    int plane = size * size;
    float[] out = new float[channels * plane];
    for (int c = 0; c < channels; c++) {
      for (int x = 0; x < size; x++) { // tmp row 0 holds source row y0, hence the shifted offset
        ys.apply(tmp, c * tmpPlane + x - y0 * size, size, out, c * plane + x, size);
      }
    }
    byte[] bytes = new byte[out.length];
    for (int i = 0; i < out.length; i++) {
      int v = Math.round(out[i] * 255f);
      bytes[i] = (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
    return bytes;
  }

  /** Extracts one image row as channel-major floats in [0, 1], alpha composited on white. */
  private abstract static class RowReader {
    abstract void read(int y, float[] dst, int channels);

    static RowReader of(BufferedImage image) {
      ColorModel cm = image.getColorModel();
      if (cm instanceof ComponentColorModel
          && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
          && cm.getNumComponents() <= 2) {
        return new GreyRows(image);
      }
      return new RgbRows(image);
    }

    static void store(float[] dst, int x, int w, int channels, float r, float g, float b) {
      if (channels == 1) {
        dst[x] = LUMA_R * r + LUMA_G * g + LUMA_B * b;
      } else {
        dst[x] = r;
        dst[w + x] = g;
        dst[2 * w + x] = b;
      }
    }
  }

  /** Grey (optionally with alpha) images, read from raw raster samples. */
  private static final class GreyRows extends RowReader {
    private final Raster raster;
    private final int width;
    private final int bands;
    private final boolean alpha;
    private final boolean premultiplied;
    private final float greyScale;
    private final float alphaScale;
    private final int[] samples;

    GreyRows(BufferedImage image) {
      ColorModel cm = image.getColorModel();
      raster = image.getRaster();
      width = image.getWidth();
      bands = raster.getNumBands();
      alpha = cm.hasAlpha() && bands >= 2;
      premultiplied = cm.isAlphaPremultiplied();
      greyScale = 1f / ((1L << cm.getComponentSize(0)) - 1);
      alphaScale = alpha ? 1f / ((1L << cm.getComponentSize(1)) - 1) : 0f;
      samples = new int[width * bands];
    }

    @Override
    void read(int y, float[] dst, int channels) {
      raster.getPixels(0, y, width, 1, samples);
      for (int x = 0; x < width; x++) {
        float g = samples[x * bands] * greyScale;
        if (alpha) {
          float a = samples[x * bands + 1] * alphaScale;
          g = (premultiplied ? g : g * a) + (1f - a);
        }
        store(dst, x, width, channels, g, g, g);
      }
    }
  }

  /** Every other colour model (RGB, RGBA, palette, ...), via sRGB {@code getRGB}. */
  private static final class RgbRows extends RowReader {
    private final BufferedImage image;
    private final int width;
    private final int[] argb;

    RgbRows(BufferedImage image) {
      this.image = image;
      width = image.getWidth();
      argb = new int[width];
    }

    @Override
    void read(int y, float[] dst, int channels) {
      image.getRGB(0, y, width, 1, argb, 0, width);
      for (int x = 0; x < width; x++) {
        int p = argb[x];
        float a = (p >>> 24) / 255f;
        float white = 1f - a;
        float r = ((p >> 16) & 0xFF) / 255f * a + white;
        float g = ((p >> 8) & 0xFF) / 255f * a + white;
        float b = (p & 0xFF) / 255f * a + white;
        store(dst, x, width, channels, r, g, b);
      }
    }
  }
}
