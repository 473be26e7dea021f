package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  // ------------------------------------------------------------ fixtures

  /** RGBA image: left half opaque red, right half fully transparent (any colour). */
  static BufferedImage rgbaHalfTransparent(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, x < w / 2 ? 0xFFFF0000 : 0x000000FF);
      }
    }
    return img;
  }

  /** 8-bit grey image of a single value, written from raw samples. */
  static BufferedImage grey(int w, int h, int value) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, value);
      }
    }
    return img;
  }

  /** Palette image filled with palette entry 1 = (0, 128, 255). */
  static BufferedImage palette(int w, int h) {
    byte[] r = {0, 0};
    byte[] g = {0, (byte) 128};
    byte[] b = {0, (byte) 255};
    IndexColorModel cm = new IndexColorModel(8, 2, r, g, b);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, 1);
      }
    }
    return img;
  }

  static void png(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(img, "png", file.toFile()));
  }

  /** Two classes (sorted names differ from creation order), three formats, one corrupt file. */
  private void twoClassFolder() throws IOException {
    png(rgbaHalfTransparent(20, 10), dir.resolve("shoes/a-rgba.png"));
    png(grey(9, 13, 100), dir.resolve("shoes/nested/b-grey.png"));
    png(palette(12, 12), dir.resolve("bags/c-palette.png"));
    Files.write(dir.resolve("bags/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Files.writeString(dir.resolve("bags/notes.txt"), "not an image, ignored");
  }

  private static float[] image(ImageDataset ds, int i) {
    float[] v = new float[ds.imageSize()];
    ds.read(i, v, 0);
    return v;
  }

  // ------------------------------------------------------------ tests

  @Test
  void classFoldersBecomeSortedLabelsAndCorruptFilesAreSkipped() throws IOException {
    twoClassFolder();
    ImageFolder ds = ImageFolder.load(dir, 8, 3);
    assertEquals(3, ds.size());
    assertEquals(List.of("bags", "shoes"), ds.classNames());
    assertEquals(2, ds.numClasses());
    assertEquals(List.of(Path.of("bags", "broken.png").toString()), ds.skipped());
    // sorted path order: bags/c-palette.png, shoes/a-rgba.png, shoes/nested/b-grey.png
    assertEquals(0, ds.label(0));
    assertEquals(1, ds.label(1));
    assertEquals(1, ds.label(2));
    assertEquals(3, ds.channels());
    assertEquals(8, ds.height());
    assertEquals(8, ds.width());
    assertTrue(ds.describe().contains("3 x 3x8x8, 2 classes, 1 skipped"), ds.describe());
  }

  @Test
  void paletteGreyAndAlphaAreDecodedFaithfully() throws IOException {
    twoClassFolder();
    ImageFolder ds = ImageFolder.load(dir, 8, 3);
    int plane = 64;

    float[] pal = image(ds, 0);
    for (int i = 0; i < plane; i++) {
      assertEquals(0f, pal[i], 1e-6);
      assertEquals(128 / 255f, pal[plane + i], 1e-6);
      assertEquals(1f, pal[2 * plane + i], 1e-6);
    }

    // 20x10 RGBA: the central 10x10 square is columns 5..14; left half red, right half white
    float[] rgba = image(ds, 1);
    for (int y = 0; y < 8; y++) {
      assertEquals(1f, rgba[y * 8], 1e-6, "red channel, red side");
      assertEquals(0f, rgba[plane + y * 8], 1e-6, "green channel, red side");
      assertEquals(1f, rgba[plane + y * 8 + 7], 1e-6, "transparent -> white");
      assertEquals(1f, rgba[2 * plane + y * 8 + 7], 1e-6, "transparent -> white");
    }

    // grey 100 must stay 100 (no linear-grey gamma conversion), replicated to RGB
    float[] grey = image(ds, 2);
    for (float v : grey) {
      assertEquals(100 / 255f, v, 1e-6);
    }
  }

  @Test
  void sixteenBitGreyAndGreyAlphaUseRawSamples() throws IOException {
    BufferedImage g16 = new BufferedImage(3, 3, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 3; x++) {
        g16.getRaster().setSample(x, y, 0, 0x4000);
      }
    }
    png(g16, dir.resolve("a16.png"));
    // grey 60 at 50% alpha over white: 60/255 * 0.5 + 0.5
    ComponentColorModel cm =
        new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
            Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    BufferedImage ga =
        new BufferedImage(cm, cm.createCompatibleWritableRaster(3, 3), false, null);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 3; x++) {
        ga.getRaster().setPixel(x, y, new int[] {60, 255 - 127});
      }
    }
    png(ga, dir.resolve("b-grey-alpha.png"));
    ImageFolder ds = ImageFolder.load(dir, 3, 1);
    assertEquals(List.of(), ds.skipped());
    assertEquals(Math.round(0x4000 / 65535f * 255) / 255f, image(ds, 0)[4], 1e-6);
    float a = 128 / 255f;
    assertEquals(Math.round((60 / 255f * a + 1 - a) * 255) / 255f, image(ds, 1)[4], 1e-6);
  }

  @Test
  void oneChannelIsLuma() throws IOException {
    png(rgbaHalfTransparent(4, 4), dir.resolve("a.png")); // left red, right white
    png(grey(4, 4, 7), dir.resolve("b.png"));
    ImageFolder ds = ImageFolder.load(dir, 4, 1);
    assertEquals(1, ds.channels());
    float[] a = image(ds, 0);
    assertEquals(Math.round(0.299f * 255) / 255f, a[0], 1e-6, "luma of pure red");
    assertEquals(1f, a[3], 1e-6, "white stays white");
    assertEquals(7 / 255f, image(ds, 1)[5], 1e-6);
  }

  @Test
  void imagesInTheRootMakeTheSetUnlabelled() throws IOException {
    png(grey(5, 5, 10), dir.resolve("root.png"));
    png(grey(5, 5, 20), dir.resolve("cls/inside.png"));
    ImageFolder ds = ImageFolder.load(dir, 5, 1);
    assertEquals(2, ds.size());
    assertEquals(0, ds.numClasses());
    assertEquals(List.of(), ds.classNames());
    assertEquals(-1, ds.label(0));
    assertEquals(-1, ds.label(1));
    assertTrue(ds.describe().contains("unlabelled"), ds.describe());
  }

  @Test
  void resizeShorterSideThenCenterCrop() throws IOException {
    // 30 wide x 10 high: columns 0..9 black, 10..19 white, 20..29 black -> the crop is all white
    BufferedImage img = new BufferedImage(30, 10, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 10; y++) {
      for (int x = 10; x < 20; x++) {
        img.setRGB(x, y, 0xFFFFFF);
      }
    }
    png(img, dir.resolve("wide.png"));
    // tall image, upsampled: 6 wide x 18 high, top third black, middle grey 200, bottom black
    BufferedImage tall = grey(6, 18, 0);
    for (int y = 6; y < 12; y++) {
      for (int x = 0; x < 6; x++) {
        tall.getRaster().setSample(x, y, 0, 200);
      }
    }
    png(tall, dir.resolve("zz-tall.png"));

    ImageFolder ds = ImageFolder.load(dir, 16, 3);
    assertEquals(16 * 16 * 3, ds.imageSize());
    float[] wide = image(ds, 0);
    assertEquals(16 * 16 * 3, wide.length);
    for (int i = 0; i < wide.length; i++) {
      int x = i % 16;
      if (x >= 1 && x <= 14) { // away from the crop edges, where the filter sees black
        assertEquals(1f, wide[i], 1e-6, "pixel " + i);
      }
    }
    float[] t = image(ds, 1);
    for (int y = 2; y < 14; y++) {
      assertEquals(200 / 255f, t[y * 16 + 8], 1e-6, "row " + y);
    }
  }

  @Test
  void downscalingAveragesArea() throws IOException {
    // 64x64 one-pixel checkerboard, to 8x8: must be uniform mid grey, not aliased
    BufferedImage img = grey(64, 64, 0);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        img.getRaster().setSample(x, y, 0, (x + y) % 2 == 0 ? 255 : 0);
      }
    }
    png(img, dir.resolve("check.png"));
    ImageFolder ds = ImageFolder.load(dir, 8, 1);
    for (float v : image(ds, 0)) {
      assertEquals(0.5f, v, 0.03f);
    }
  }

  @Test
  void jpegBmpAndGifAreRead() throws IOException {
    BufferedImage rgb = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        rgb.setRGB(x, y, 0x336699);
      }
    }
    assertTrue(ImageIO.write(rgb, "jpg", dir.resolve("a.JPG").toFile()));
    assertTrue(ImageIO.write(rgb, "bmp", dir.resolve("b.bmp").toFile()));
    assertTrue(ImageIO.write(palette(10, 10), "gif", dir.resolve("c.gif").toFile()));
    ImageFolder ds = ImageFolder.load(dir, 10, 3);
    assertEquals(3, ds.size());
    assertEquals(List.of(), ds.skipped());
    float[] jpg = image(ds, 0);
    assertEquals(0x33 / 255f, jpg[0], 0.03f);
    assertEquals(0x99 / 255f, jpg[200], 0.03f);
    float[] bmp = image(ds, 1);
    assertEquals(0x66 / 255f, bmp[100 + 55], 1e-6);
    float[] gif = image(ds, 2);
    assertEquals(1f, gif[200 + 3], 1e-6);
  }

  @Test
  void emptyFolderIsAnErrorNamingIt() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/readme.txt"), "no images here");
    DataException e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 8, 3));
    assertTrue(e.getMessage().startsWith(dir + ": no images found"), e.getMessage());
  }

  @Test
  void onlyCorruptImagesIsAnErrorNamingTheFolder() throws IOException {
    Files.write(dir.resolve("bad.png"), new byte[] {1, 2, 3});
    DataException e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 8, 3));
    assertTrue(e.getMessage().startsWith(dir + ": no usable images"), e.getMessage());
    assertTrue(e.getMessage().contains("bad.png"), e.getMessage());
  }

  @Test
  void missingFolderAndBadArguments() {
    Path missing = dir.resolve("missing");
    DataException e = assertThrows(DataException.class, () -> ImageFolder.load(missing, 8, 3));
    assertEquals(missing + ": image folder not found", e.getMessage());
    assertThrows(DataException.class, () -> ImageFolder.load(dir, 8, 2));
    assertThrows(DataException.class, () -> ImageFolder.load(dir, 0, 3));
  }

  @Test
  void hiddenFilesAndFoldersAreIgnored() throws IOException {
    png(grey(4, 4, 1), dir.resolve("cls/ok.png"));
    Files.write(dir.resolve("cls/._ok.png"), new byte[] {0, 5, 22, 7}); // macOS resource fork
    png(grey(4, 4, 1), dir.resolve(".thumbnails/x.png"));
    ImageFolder ds = ImageFolder.load(dir, 4, 1);
    assertEquals(1, ds.size());
    assertEquals(List.of(), ds.skipped());
    assertEquals(List.of("cls"), ds.classNames());
  }

  @Test
  void imagesBelowTheMinimumSizeAreSkippedAndCounted() throws IOException {
    png(grey(40, 30, 10), dir.resolve("ok.png"));
    png(grey(7, 50, 20), dir.resolve("thin.png")); // shorter side 7 < ceil(32 / 4) = 8
    png(grey(1, 1, 30), dir.resolve("pixel.gif"));
    Files.write(dir.resolve("z-bad.png"), new byte[] {1, 2});
    java.io.PrintStream old = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    ImageFolder ds;
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      ds = ImageFolder.load(dir, 32, 1);
    } finally {
      System.setErr(old);
    }
    assertEquals(8, ImageFolder.defaultMinSide(32));
    assertEquals(1, ds.size());
    assertEquals(List.of("pixel.gif", "thin.png", "z-bad.png"), ds.skipped());
    assertEquals(2, ds.tooSmall());
    assertTrue(ds.describe().contains("3 skipped (2 too small)"), ds.describe());
    String w = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
    assertEquals(1, w.lines().count(), w);
    assertTrue(w.startsWith("warning: " + dir + ": skipped 3 file(s) (1 unreadable, 2 too small): "), w);
    assertTrue(w.contains("thin.png (7x50, shorter side below 8 px)"), w);

    assertEquals(3, ImageFolder.load(dir, 32, 1, 1).size(), "a minimum of 1 keeps every decodable image");
    DataException e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 32, 1, 100));
    assertTrue(e.getMessage().startsWith(dir + ": no usable images (4 image file(s) found"), e.getMessage());
  }

  @Test
  void unreadableFileIsSkippedNotFatal() throws IOException {
    png(grey(8, 8, 10), dir.resolve("a.png"));
    Path locked = dir.resolve("b.png");
    png(grey(8, 8, 10), locked);
    if (!locked.toFile().setReadable(false) || Files.isReadable(locked)) {
      return; // running as root, or on a file system without permissions: cannot make it unreadable
    }
    ImageFolder ds = ImageFolder.load(dir, 8, 1);
    assertEquals(1, ds.size());
    assertEquals(List.of("b.png"), ds.skipped());
  }
}
