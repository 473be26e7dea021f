package io.jdiffusion.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  private static Map<String, Safetensors.Entry> sample() {
    Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
    t.put("a.weight", new Safetensors.Entry(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-8f, -7}));
    t.put("b", new Safetensors.Entry(new long[] {1}, new float[] {42}));
    return t;
  }

  @Test
  void roundTripKeepsValuesShapesOrderAndMetadata(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.safetensors");
    Safetensors.write(f, sample(), Map.of("step", "12"), false);
    Safetensors.Contents c = Safetensors.read(f);
    assertEquals(java.util.List.of("a.weight", "b"), java.util.List.copyOf(c.tensors().keySet()));
    assertArrayEquals(new long[] {2, 3}, c.tensors().get("a.weight").shape());
    assertArrayEquals(sample().get("a.weight").values(), c.tensors().get("a.weight").values());
    assertEquals("12", c.metadata().get("step"));
    long headerLen = java.nio.ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8, "header padded to 8 bytes as the format requires");
    assertEquals(8 + headerLen + 7 * 4, Files.size(f));
  }

  @Test
  void bf16RoundsToNearestEven(@TempDir Path dir) throws Exception {
    assertEquals(1.0f, Safetensors.fromBf16(Safetensors.toBf16(1.0f)));
    assertEquals(1.0f, Safetensors.fromBf16(Safetensors.toBf16(1.00390625f))); // halfway: ties to even
    assertEquals(1.0078125f, Safetensors.fromBf16(Safetensors.toBf16(1.005859375f))); // 3/4 of the way: up
    Path f = dir.resolve("h.safetensors");
    Safetensors.write(f, sample(), Map.of(), true);
    float[] back = Safetensors.read(f).tensors().get("a.weight").values();
    assertEquals(3.5f, back[2]);
    assertEquals(-7f, back[5]);
  }

  @Test
  void aFlippedByteIsDetected(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.safetensors");
    Safetensors.write(f, sample(), Map.of(), false);
    byte[] b = Files.readAllBytes(f);
    b[b.length - 3] ^= 0x10;
    Files.write(f, b);
    StoreException e = assertThrows(StoreException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    assertTrue(e.getMessage().contains("x.safetensors"), e.getMessage());
  }

  @Test
  void truncatedAndRandomFilesGiveCleanErrors(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.safetensors");
    Safetensors.write(f, sample(), Map.of(), false);
    byte[] whole = Files.readAllBytes(f);
    Random r = new Random(1);
    for (int i = 0; i < 200; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = java.util.Arrays.copyOf(whole, r.nextInt(whole.length));
      } else {
        b = new byte[r.nextInt(200)];
        r.nextBytes(b);
      }
      Path g = dir.resolve("bad" + i);
      Files.write(g, b);
      assertThrows(StoreException.class, () -> Safetensors.read(g), "input " + i);
    }
  }

  @Test
  void writesAreAtomic(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.safetensors");
    Safetensors.write(f, sample(), Map.of(), false);
    Safetensors.write(f, sample(), Map.of("v", "2"), false);
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temporary files left behind");
    }
    assertEquals("2", Safetensors.read(f).metadata().get("v"));
  }
}
