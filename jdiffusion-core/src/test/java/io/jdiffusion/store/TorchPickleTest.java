package io.jdiffusion.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restricted reader of torch.save files against files PyTorch wrote itself
 * (scripts/torch_pickle_fixtures.py, PyTorch 1.13): every dtype, views with offsets and strides, shared
 * storages, parameters; and the pickles it must refuse without running them.
 */
class TorchPickleTest {
  static final Path DIR = Path.of("src/test/resources/io/jdiffusion/torchpickle");

  @Test
  void readsWhatTorchSaveWrote() throws Exception {
    Map<String, Safetensors.Entry> got = TorchPickle.read(DIR.resolve("weights.bin"));
    JsonNode want = Json.mapper().readTree(Files.readString(DIR.resolve("weights.json")));
    assertEquals(List.copyOf(iterable(want)), List.copyOf(got.keySet()));
    for (String k : got.keySet()) {
      JsonNode w = want.get(k);
      long[] shape = new long[w.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = w.get("shape").get(i).asLong();
      }
      assertArrayEquals(shape, got.get(k).shape(), k);
      float[] values = new float[w.get("values").size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) w.get("values").get(i).asDouble();
      }
      assertArrayEquals(values, got.get(k).values(), 0f, k); // exact: PyTorch's own float32 of each value
    }
  }

  private static List<String> iterable(JsonNode n) {
    List<String> keys = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void aPickleThatCallsAnythingElseIsRefusedWithoutRunningIt() {
    Path pwned = Path.of("/tmp/jdiffusion-pwned");
    StoreException e = assertThrows(StoreException.class, () -> TorchPickle.read(DIR.resolve("evil.bin")));
    assertTrue(e.getMessage().contains("the pickle calls posix.system") || e.getMessage().contains("the pickle calls os.system"),
        e.getMessage());
    assertFalse(Files.exists(pwned) && isRecent(pwned), "the pickle's command ran");
  }

  private static boolean isRecent(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis() > System.currentTimeMillis() - 60_000;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void theOldFormatAndNonFilesAreOneLineRefusals(@TempDir Path dir) throws Exception {
    StoreException old = assertThrows(StoreException.class, () -> TorchPickle.read(DIR.resolve("legacy.bin")));
    assertTrue(old.getMessage().contains("not a zip-format PyTorch file"), old.getMessage());
    assertTrue(old.getMessage().contains("save_file"), old.getMessage());
    Path junk = Files.write(dir.resolve("junk.bin"), new byte[] {1, 2, 3});
    assertThrows(StoreException.class, () -> TorchPickle.read(junk));
    // a zip whose pickle is cut short
    Path cut = dir.resolve("cut.bin");
    try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(cut));
        var src = new java.util.zip.ZipFile(DIR.resolve("weights.bin").toFile())) {
      for (var en = src.entries(); en.hasMoreElements(); ) {
        var e = en.nextElement();
        byte[] b = src.getInputStream(e).readAllBytes();
        if (e.getName().endsWith("data.pkl")) {
          b = java.util.Arrays.copyOf(b, b.length / 2);
        }
        z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        z.write(b);
        z.closeEntry();
      }
    }
    StoreException c = assertThrows(StoreException.class, () -> TorchPickle.read(cut));
    assertTrue(c.getMessage().contains("ends early") || c.getMessage().contains("refused"), c.getMessage());
  }
}
