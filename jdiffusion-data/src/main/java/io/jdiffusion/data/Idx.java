package io.jdiffusion.data;

import io.jdiffusion.store.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes the big-endian IDX files used by MNIST and Fashion-MNIST.
 *
 * <p>Two kinds are supported: image files (magic {@code 0x00000803}, header {@code n, rows, cols},
 * then {@code n*rows*cols} unsigned bytes, row-major) and label files (magic {@code 0x00000801},
 * header {@code n}, then {@code n} unsigned bytes). Input may be gzip-compressed; compression is
 * detected from the gzip magic bytes, not from the file name.
 *
 * <p>Every problem with the input (missing file, bad magic, impossible dimensions, truncated or
 * trailing data, corrupt gzip stream) is reported as a {@link DataException} whose message starts
 * with the file name. Memory is only allocated as data actually arrives, so a corrupt header that
 * claims billions of images fails as "truncated" instead of exhausting the heap.
 */
public final class Idx {
  /** Magic number of an IDX file of unsigned-byte images (3 dimensions). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an IDX file of unsigned-byte labels (1 dimension). */
  public static final int LABELS_MAGIC = 0x00000801;

  /** Largest payload the reader accepts (the largest Java byte array, with some headroom). */
  static final long MAX_BYTES = Integer.MAX_VALUE - 16L;

  private static final int CHUNK = 1 << 20;

  private Idx() {}

  /**
   * The content of an IDX image file.
   *
   * @param count number of images
   * @param rows image height
   * @param cols image width
   * @param pixels {@code count*rows*cols} unsigned bytes, image-major then row-major
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  // ---------------------------------------------------------------- reading

  /** Reads an IDX image file (plain or gzipped). */
  public static Images readImages(Path file) {
    try (InputStream in = open(file)) {
      return readImages(in, file.toString());
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads an IDX image file (plain or gzipped) from a stream; {@code name} is used in error
   * messages. The stream is not closed.
   */
  public static Images readImages(InputStream in, String name) {
    try {
      InputStream s = maybeGunzip(in, name);
      int[] dims = imageHeader(s, name);
      int n = dims[0];
      int rows = dims[1];
      int cols = dims[2];
      byte[] pixels = readPayload(s, name, n * rows * cols, n + " x " + rows + " x " + cols + " images");
      return new Images(n, rows, cols, pixels);
    } catch (IOException e) {
      throw ioError(name, e);
    }
  }

  /**
   * The number of images an IDX image file's header announces, checked as {@link #readImages} checks
   * it, without decompressing or reading the images: a loader compares it with the label count
   * before the payload, so a header that lies costs nothing.
   */
  public static int imageCount(Path file) {
    try (InputStream in = open(file)) {
      return imageHeader(maybeGunzip(in, file.toString()), file.toString())[0];
    } catch (IOException e) {
      throw ioError(file.toString(), e);
    }
  }

  /** The checked header of an image file: count, rows, cols. */
  private static int[] imageHeader(InputStream s, String name) throws IOException {
    byte[] header = readHeader(s, name, IMAGES_MAGIC, 16);
    int n = intAt(header, 4);
    int rows = intAt(header, 8);
    int cols = intAt(header, 12);
    if (n < 0 || rows <= 0 || cols <= 0) {
      throw new DataException(
          name + ": bad IDX image dimensions " + unsigned(n) + " x " + unsigned(rows) + " x "
              + unsigned(cols));
    }
    double bytes = (double) n * rows * cols; // exact enough to compare, cannot overflow
    if (bytes > MAX_BYTES) {
      throw new DataException(
          name + ": IDX image dimensions " + n + " x " + rows + " x " + cols
              + " are too large (" + String.format("%.3g", bytes) + " bytes)");
    }
    return new int[] {n, rows, cols};
  }

  /** The number of labels an IDX label file's header announces, without reading them (see {@link #imageCount}). */
  public static int labelCount(Path file) {
    try (InputStream in = open(file)) {
      return labelHeader(maybeGunzip(in, file.toString()), file.toString());
    } catch (IOException e) {
      throw ioError(file.toString(), e);
    }
  }

  private static int labelHeader(InputStream s, String name) throws IOException {
    byte[] header = readHeader(s, name, LABELS_MAGIC, 8);
    int n = intAt(header, 4);
    if (n < 0 || n > MAX_BYTES) {
      throw new DataException(name + ": bad IDX label count " + unsigned(n));
    }
    return n;
  }

  /** Reads an IDX label file (plain or gzipped); returns one unsigned byte per label. */
  public static byte[] readLabels(Path file) {
    try (InputStream in = open(file)) {
      return readLabels(in, file.toString());
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads an IDX label file (plain or gzipped) from a stream; {@code name} is used in error
   * messages. The stream is not closed.
   */
  public static byte[] readLabels(InputStream in, String name) {
    try {
      InputStream s = maybeGunzip(in, name);
      int n = labelHeader(s, name);
      return readPayload(s, name, n, n + " labels");
    } catch (IOException e) {
      throw ioError(name, e);
    }
  }

  private static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": file not found", e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot open (" + e.getMessage() + ")", e);
    }
  }

  /** Wraps {@code in} in a gzip decoder when it starts with the gzip magic bytes 1f 8b. */
  private static InputStream maybeGunzip(InputStream in, String name) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
    b.mark(2);
    int b0 = b.read();
    int b1 = b.read();
    b.reset();
    if (b0 == -1) {
      throw new DataException(name + ": empty file (expected an IDX file)");
    }
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16);
      } catch (IOException e) {
        throw new DataException(name + ": corrupt gzip header (" + e.getMessage() + ")", e);
      }
    }
    return b;
  }

  private static byte[] readHeader(InputStream in, String name, int magic, int length)
      throws IOException {
    byte[] header = new byte[length];
    int got = readFully(in, header, 0, length);
    if (got >= 4) {
      int actual = intAt(header, 0);
      if (actual != magic) {
        throw new DataException(
            String.format(
                "%s: bad IDX magic 0x%08X (expected 0x%08X)%s",
                name, actual, magic, magicHint(actual, magic)));
      }
    }
    if (got < length) {
      throw new DataException(
          name + ": truncated IDX header (" + got + " of " + length + " bytes)");
    }
    return header;
  }

  private static String magicHint(int actual, int expected) {
    if (actual == LABELS_MAGIC) {
      return "; this is an IDX label file, not an image file";
    }
    if (actual == IMAGES_MAGIC) {
      return "; this is an IDX image file, not a label file";
    }
    if ((actual & 0xFFFF0000) != 0) {
      return ""; // not an IDX file at all
    }
    int type = (actual >> 8) & 0xFF;
    int dims = actual & 0xFF;
    String typeName =
        switch (type) {
          case 0x08 -> "unsigned byte";
          case 0x09 -> "signed byte";
          case 0x0B -> "short";
          case 0x0C -> "int";
          case 0x0D -> "float";
          case 0x0E -> "double";
          default -> null;
        };
    if (typeName == null || dims == 0) {
      return "";
    }
    return "; this IDX file holds " + dims + "-dimensional " + typeName + " data, expected "
        + (expected & 0xFF) + "-dimensional unsigned bytes";
  }

  /** Reads exactly {@code length} bytes, growing the buffer only as data arrives. */
  private static byte[] readPayload(InputStream in, String name, int length, String what)
      throws IOException {
    long heap = Runtime.getRuntime().maxMemory();
    if (length > heap / 3) { // the doubling buffer needs up to 1.5x the data, and the loader a copy
      throw new DataException(name + ": header announces " + what + " (" + length + " bytes), more than this JVM's heap ("
          + (heap >> 20) + " MiB) can load; raise it with -Xmx (JDIFFUSION_JAVA_OPTS) if the file is genuine");
    }
    byte[] buf = new byte[Math.min(length, CHUNK)];
    int got = 0;
    while (got < length) {
      if (got == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(length, 2L * buf.length));
      }
      int r = in.read(buf, got, buf.length - got);
      if (r < 0) {
        throw new DataException(
            name + ": truncated: header announces " + what + " (" + length
                + " data bytes) but the file ends after " + got);
      }
      got += r;
    }
    if (in.read() != -1) {
      throw new DataException(name + ": unexpected trailing data after " + what);
    }
    return buf;
  }

  private static int readFully(InputStream in, byte[] dst, int off, int len) throws IOException {
    int got = 0;
    while (got < len) {
      int r = in.read(dst, off + got, len - got);
      if (r < 0) {
        break;
      }
      got += r;
    }
    return got;
  }

  private static DataException ioError(String name, IOException e) {
    if (e instanceof EOFException || e instanceof java.util.zip.ZipException) {
      return new DataException(
          name + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
    }
    return new DataException(name + ": read error (" + e.getMessage() + ")", e);
  }

  private static int intAt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }

  private static String unsigned(int v) {
    return Integer.toUnsignedString(v);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code n} images of {@code rows x cols} unsigned bytes, stored contiguously in {@code
   * pixels}, as an IDX image file; gzip-compressed when {@code gzip}. The file is written to a
   * temporary sibling and renamed into place.
   */
  public static void writeImages(
      Path file, byte[] pixels, int n, int rows, int cols, boolean gzip) {
    if (n < 0 || rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("bad dimensions " + n + " x " + rows + " x " + cols);
    }
    long bytes = (long) n * rows * cols;
    if (pixels.length != bytes) {
      throw new IllegalArgumentException(
          "pixels has " + pixels.length + " bytes, expected " + n + " x " + rows + " x " + cols
              + " = " + bytes);
    }
    write(
        file,
        gzip,
        out -> {
          out.writeInt(IMAGES_MAGIC);
          out.writeInt(n);
          out.writeInt(rows);
          out.writeInt(cols);
          out.write(pixels);
        });
  }

  /**
   * Writes {@code images.length} images, each {@code rows*cols} unsigned bytes in row-major order,
   * as an IDX image file; gzip-compressed when {@code gzip}.
   */
  public static void writeImages(Path file, byte[][] images, int rows, int cols, boolean gzip) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("bad dimensions " + rows + " x " + cols);
    }
    int size = rows * cols;
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != size) {
        throw new IllegalArgumentException(
            "image " + i + " has " + images[i].length + " bytes, expected " + rows + " x " + cols);
      }
    }
    write(
        file,
        gzip,
        out -> {
          out.writeInt(IMAGES_MAGIC);
          out.writeInt(images.length);
          out.writeInt(rows);
          out.writeInt(cols);
          for (byte[] image : images) {
            out.write(image);
          }
        });
  }

  /** Writes one unsigned byte per label as an IDX label file; gzip-compressed when {@code gzip}. */
  public static void writeLabels(Path file, byte[] labels, boolean gzip) {
    write(
        file,
        gzip,
        out -> {
          out.writeInt(LABELS_MAGIC);
          out.writeInt(labels.length);
          out.write(labels);
        });
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static void write(Path file, boolean gzip, Body body) {
    try {
      AtomicFiles.write(file, raw -> {
        OutputStream z = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
        DataOutputStream out = new DataOutputStream(z);
        body.write(out);
        out.flush();
        if (z instanceof GZIPOutputStream g) {
          g.finish();
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot write IDX file (" + e.getMessage() + ")", e);
    }
  }
}
