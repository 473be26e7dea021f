package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  private static byte[] pixels(int n, int rows, int cols, long seed) {
    byte[] p = new byte[n * rows * cols];
    new Random(seed).nextBytes(p);
    return p;
  }

  @Test
  void imagesRoundTripPlainAndGzip() {
    byte[] p = pixels(7, 5, 3, 1);
    for (boolean gzip : new boolean[] {false, true}) {
      Path f = dir.resolve("img-" + gzip);
      Idx.writeImages(f, p, 7, 5, 3, gzip);
      Idx.Images images = Idx.readImages(f);
      assertEquals(7, images.count());
      assertEquals(5, images.rows());
      assertEquals(3, images.cols());
      assertArrayEquals(p, images.pixels());
    }
  }

  @Test
  void imagesFromArrayOfArraysMatchFlatLayout() {
    byte[][] images = {{1, 2, 3, 4}, {5, 6, 7, (byte) 255}};
    Path f = dir.resolve("a.gz");
    Idx.writeImages(f, images, 2, 2, true);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 255}, Idx.readImages(f).pixels());
  }

  @Test
  void labelsRoundTrip() {
    byte[] labels = {0, 9, 3, 3, 1};
    for (boolean gzip : new boolean[] {false, true}) {
      Path f = dir.resolve("lab-" + gzip);
      Idx.writeLabels(f, labels, gzip);
      assertArrayEquals(labels, Idx.readLabels(f));
    }
  }

  @Test
  void writtenFilesHaveTheUpstreamLayout() throws IOException {
    Path f = dir.resolve("raw");
    Idx.writeImages(f, new byte[] {9, 8}, 1, 1, 2, false);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
    assertEquals(0x803, b.getInt());
    assertEquals(1, b.getInt());
    assertEquals(1, b.getInt());
    assertEquals(2, b.getInt());
    assertEquals(9, b.get());
    assertEquals(8, b.get());
    assertEquals(0, b.remaining());
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void compressionIsDetectedFromContentNotName() {
    byte[] p = pixels(2, 4, 4, 2);
    Path gzNamedPlain = dir.resolve("plain.gz");
    Path plainNamedGz = dir.resolve("compressed-idx3-ubyte");
    Idx.writeImages(gzNamedPlain, p, 2, 4, 4, false);
    Idx.writeImages(plainNamedGz, p, 2, 4, 4, true);
    assertArrayEquals(p, Idx.readImages(gzNamedPlain).pixels());
    assertArrayEquals(p, Idx.readImages(plainNamedGz).pixels());
  }

  @Test
  void badMagicNamesFileAndBothMagics() throws IOException {
    Path f = dir.resolve("train-images-idx3-ubyte.gz");
    Files.write(f, gzip(new byte[16]));
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(f));
    assertEquals(f + ": bad IDX magic 0x00000000 (expected 0x00000803)", e.getMessage());
  }

  @Test
  void labelFileGivenAsImagesIsExplained() {
    Path f = dir.resolve("labels");
    Idx.writeLabels(f, new byte[20], false);
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(f));
    assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
    assertTrue(e.getMessage().contains("label file"), e.getMessage());

    byte[] floats = ByteBuffer.allocate(16).putInt(0x00000D03).putInt(0).putInt(1).putInt(1).array();
    DataException g = assertThrows(DataException.class,
        () -> Idx.readImages(new ByteArrayInputStream(floats), "floats"));
    assertTrue(g.getMessage().contains("3-dimensional float data"), g.getMessage());
  }

  @Test
  void truncatedDataIsReported() throws IOException {
    Path full = dir.resolve("full");
    Idx.writeImages(full, pixels(3, 4, 4, 3), 3, 4, 4, false);
    byte[] bytes = Files.readAllBytes(full);
    Path cut = dir.resolve("cut-images-idx3-ubyte");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 5));
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(cut));
    assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("43"), "bytes actually present: " + e.getMessage());
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path f = dir.resolve("short");
    Files.write(f, new byte[] {0, 0, 8, 3, 0, 0});
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(f));
    assertTrue(e.getMessage().contains("truncated IDX header (6 of 16 bytes)"), e.getMessage());
  }

  @Test
  void truncatedGzipIsReported() throws IOException {
    Path full = dir.resolve("full.gz");
    Idx.writeImages(full, pixels(50, 10, 10, 4), 50, 10, 10, true);
    byte[] bytes = Files.readAllBytes(full);
    Path cut = dir.resolve("cut.gz");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(cut));
    assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
  }

  @Test
  void trailingDataIsReported() throws IOException {
    Path f = dir.resolve("long");
    Idx.writeLabels(f, new byte[] {1, 2}, false);
    Files.write(f, new byte[] {7}, java.nio.file.StandardOpenOption.APPEND);
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(f));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
  }

  @Test
  void hugeDimensionsFailWithoutAllocating() {
    byte[] header = ByteBuffer.allocate(16).putInt(0x803).putInt(0x7fffffff).putInt(1 << 20)
        .putInt(1 << 20).array();
    DataException e = assertThrows(DataException.class,
        () -> Idx.readImages(new ByteArrayInputStream(header), "big"));
    assertTrue(e.getMessage().startsWith("big: "), e.getMessage());

    // plausible size, but the data is not there: must say truncated, not run out of memory
    byte[] header2 = ByteBuffer.allocate(16).putInt(0x803).putInt(2_000_000).putInt(28)
        .putInt(28).array();
    DataException e2 = assertThrows(DataException.class,
        () -> Idx.readImages(new ByteArrayInputStream(header2), "claims-2M"));
    assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
  }

  @Test
  void missingFileIsReported() {
    Path f = dir.resolve("nope-idx3-ubyte.gz");
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(f));
    assertEquals(f + ": file not found", e.getMessage());
  }

  @Test
  void emptyFileIsReported() throws IOException {
    Path f = dir.resolve("empty");
    Files.write(f, new byte[0]);
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(f));
    assertTrue(e.getMessage().startsWith(f + ": empty file"), e.getMessage());
  }

  /** Random and mutated inputs: the reader either succeeds or throws DataException, nothing else. */
  @Test
  void fuzzOnlyEverThrowsDataException() throws IOException {
    Random rnd = new Random(20240611L);
    Path v = dir.resolve("valid.gz");
    Idx.writeImages(v, pixels(4, 6, 6, 5), 4, 6, 6, true);
    byte[] valid = Files.readAllBytes(v);

    for (int iter = 0; iter < 200; iter++) {
      byte[] input;
      switch (iter % 4) {
        case 0 -> { // pure noise
          input = new byte[rnd.nextInt(64)];
          rnd.nextBytes(input);
        }
        case 1 -> { // right magic, random dimensions and payload
          input = new byte[8 + rnd.nextInt(120)];
          rnd.nextBytes(input);
          int magic = rnd.nextBoolean() ? Idx.IMAGES_MAGIC : Idx.LABELS_MAGIC;
          ByteBuffer.wrap(input).putInt(magic);
          if (rnd.nextBoolean() && input.length >= 16) { // small dimensions, sometimes exact
            ByteBuffer.wrap(input, 4, 12).putInt(rnd.nextInt(3)).putInt(1 + rnd.nextInt(3))
                .putInt(1 + rnd.nextInt(3));
          }
        }
        case 2 -> { // gzip magic followed by noise
          input = new byte[2 + rnd.nextInt(60)];
          rnd.nextBytes(input);
          input[0] = 0x1f;
          input[1] = (byte) 0x8b;
        }
        default -> { // a valid gzipped file, truncated and with flipped bytes
          input = Arrays.copyOf(valid, rnd.nextInt(valid.length + 1));
          for (int k = 0; k < 1 + rnd.nextInt(4) && input.length > 0; k++) {
            input[rnd.nextInt(input.length)] ^= (byte) (1 + rnd.nextInt(255));
          }
        }
      }
      byte[] in = input;
      expectOnlyDataException(() -> Idx.readImages(new ByteArrayInputStream(in), "fuzz" + in.length));
      expectOnlyDataException(() -> Idx.readLabels(new ByteArrayInputStream(in), "fuzz" + in.length));
      if (iter % 10 == 0) {
        Path f = dir.resolve("fuzz-" + iter);
        Files.write(f, in);
        expectOnlyDataException(() -> Idx.readImages(f));
      }
    }
  }

  private static void expectOnlyDataException(Runnable r) {
    try {
      r.run();
    } catch (DataException e) {
      assertTrue(e.getMessage().startsWith("fuzz") || e.getMessage().contains("fuzz-"),
          "message names the input: " + e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    } catch (Throwable t) {
      fail("expected only DataException, got " + t, t);
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(bos)) {
      z.write(data);
    }
    return bos.toByteArray();
  }
}
