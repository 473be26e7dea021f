package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiTest {
  @TempDir Path dir;

  private static float[] image(ImageDataset ds, int k) {
    float[] v = new float[ds.imageSize()];
    ds.read(k, v, 0);
    return v;
  }

  @Test
  void categoriesAreSortedLabelsAndSkinVariationsInheritThem() throws IOException {
    Fixtures.emojiPackage(dir);
    Emoji e = Emoji.load(dir, 64, 3);
    assertEquals(4, e.size());
    assertEquals(List.of("Flags", "People & Body", "Smileys & Emotion"), e.classNames());
    // files sorted by name: 1f1e6-1f1e8 (flag), 1f44b-1f3fb (skin variant), 1f44b, 1f600
    assertEquals(0, e.label(0));
    assertEquals(1, e.label(1));
    assertEquals(1, e.label(2));
    assertEquals(2, e.label(3));
    assertEquals(0, e.skipped());
    assertTrue(e.describe().contains("4 x 3x64x64, 3 categories"), e.describe());
    assertEquals(new Datasets.Shape(3, 64), Datasets.nativeShape("emoji:" + dir));
  }

  @Test
  void transparencyIsCompositedOnWhite() throws IOException {
    Fixtures.emojiPackage(dir);
    Emoji e = Emoji.load(dir.resolve("package"), 64, 3);
    float[] flag = image(e, 0);
    int plane = 64 * 64;
    for (int c = 0; c < 3; c++) {
      assertEquals(1f, flag[c * plane], 0f, "transparent corner is white, channel " + c);
    }
    int centre = 32 * 64 + 32;
    assertEquals(0xCC / 255f, flag[centre], 0f, "red of the opaque disc");
    assertEquals(0f, flag[plane + centre], 0f);
    assertEquals(0f, flag[2 * plane + centre], 0f);
  }

  @Test
  void paletteImagesWithTransparencyAndOtherSizes() throws IOException {
    Path pkg = Fixtures.emojiPackage(dir);
    // a 2-entry palette PNG: entry 0 fully transparent, entry 1 opaque blue
    IndexColorModel cm = new IndexColorModel(8, 2, new byte[] {0, 0}, new byte[] {0, 0},
        new byte[] {0, (byte) 255}, new byte[] {0, (byte) 255});
    BufferedImage pal = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_INDEXED, cm);
    for (int y = 0; y < 64; y++) {
      for (int x = 32; x < 64; x++) {
        pal.getRaster().setSample(x, y, 0, 1);
      }
    }
    Fixtures.png(pal, pkg.resolve(Emoji.IMAGE_DIR).resolve("1f600.png"));
    Emoji e = Emoji.load(dir, 32, 3);
    float[] smiley = image(e, 3);
    int plane = 32 * 32;
    assertEquals(1f, smiley[5 * 32 + 2], 0f, "transparent palette entry -> white");
    assertEquals(0f, smiley[5 * 32 + 29], 0f, "opaque blue: no red");
    assertEquals(1f, smiley[2 * plane + 5 * 32 + 29], 0f, "opaque blue: full blue");
    Emoji grey = Emoji.load(dir, 16, 1);
    assertEquals(1, grey.channels());
    assertEquals(16 * 16, grey.imageSize());
  }

  @Test
  void unlistedCorruptAndTinyImagesAreSkippedAndCounted() throws IOException {
    Path pkg = Fixtures.emojiPackage(dir);
    Path img = pkg.resolve(Emoji.IMAGE_DIR);
    Fixtures.png(Fixtures.disc(64, 0xFF00FF00), img.resolve("unlisted.png"));
    Files.write(img.resolve("1f44b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
    Fixtures.png(Fixtures.disc(8, 0xFF00FF00), img.resolve("1f600.png")); // 8 px < 64 / 4
    Files.writeString(img.resolve("notes.txt"), "ignored, not a PNG");

    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Emoji e;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      e = Emoji.load(dir, 64, 3);
    } finally {
      System.setErr(old);
    }
    assertEquals(2, e.size());
    assertEquals(3, e.skipped());
    assertEquals(List.of("Flags", "People & Body"), e.classNames(), "only categories that kept an image");
    String warning = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, warning.lines().count(), warning);
    assertTrue(warning.startsWith("warning: " + img + ": skipped 3 file(s) (1 unreadable, 1 too small, 1 without a"
        + " label): "), warning);
    assertTrue(warning.contains("1f600.png (8x8, shorter side below 16 px)"), warning);
    assertTrue(warning.contains("unlisted.png (not listed in emoji.json)"), warning);
  }

  @Test
  void malformedEmojiJsonIsNamed() throws IOException {
    Path pkg = Fixtures.emojiPackage(dir);
    Path json = pkg.resolve("emoji.json");
    for (String[] c : new String[][] {
        {"{\"image\": \"a.png\"}", "expected a JSON array of emoji entries"},
        {"[{\"image\": \"a.png\"}]", "entry 0 has no \"category\" string"},
        {"[{\"image\": 5, \"category\": \"x\"}]", "entry 0 has no \"image\" string"},
        {"[{\"image\": \"a.png\", \"category\": \"x\", \"skin_variations\": [1]}]", "\"skin_variations\" is not an object"},
        {"[{\"image\": \"a.png\", \"category\": \"x\", \"skin_variations\": {\"1F3FB\": {}}}]", "entry 0 has no \"image\""},
        {"[1, 2]", "entry 0 has no \"image\" string"},
        {"[]", "lists no emoji"},
        {"[{\"image\": \"a.png\", ", "truncated JSON"},
        {"[{\"image\": 'a.png'}]", "malformed JSON"},
        {"", "expected a JSON array"}}) {
      Files.writeString(json, c[0]);
      DataException e = assertThrows(DataException.class, () -> Emoji.load(dir, 64, 3), c[0]);
      assertTrue(e.getMessage().startsWith(json.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void missingPiecesSayWhatIsMissing() throws IOException {
    DataException e = assertThrows(DataException.class, () -> Emoji.load(dir.resolve("no"), 64, 3));
    assertTrue(e.getMessage().contains("data fetch emoji"), e.getMessage());
    e = assertThrows(DataException.class, () -> Emoji.load(dir, 64, 3));
    assertTrue(e.getMessage().startsWith(dir + ": no emoji.json"), e.getMessage());

    Path pkg = Fixtures.emojiPackage(dir);
    Path img = pkg.resolve(Emoji.IMAGE_DIR);
    try (var files = Files.list(img)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    e = assertThrows(DataException.class, () -> Emoji.load(dir, 64, 3));
    assertEquals(img + ": no PNG images", e.getMessage());
    Files.write(img.resolve("1f600.png"), new byte[] {1, 2, 3});
    e = assertThrows(DataException.class, () -> Emoji.load(dir, 64, 3));
    assertTrue(e.getMessage().startsWith(img + ": no usable emoji images"), e.getMessage());
    Files.delete(img.resolve("1f600.png"));
    Files.delete(img);
    e = assertThrows(DataException.class, () -> Emoji.load(dir, 64, 3));
    assertTrue(e.getMessage().startsWith(img + ": emoji image folder not found"), e.getMessage());
  }
}
