package io.jdiffusion.fetch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdiffusion.data.DataException;
import io.jdiffusion.data.Mutations;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated tarballs, compressed and not: {@link TarGz} either unpacks them or throws a
 * one-line DataException naming the archive; never another exception.
 */
class TarGzFuzzTest {
  private static final int INPUTS = 200;

  @TempDir Path dir;

  @Test
  void tarGz() throws IOException {
    byte[] valid = Tarballs.npmTarball(Map.of("a.txt", "hello".getBytes(), "src/digits/0.json", new byte[700]));
    Random rnd = new Random(6);
    Path out = dir.resolve("out");
    for (int iter = 0; iter < INPUTS; iter++) {
      byte[] in = iter % 2 == 0
          ? Mutations.mutate(rnd, valid, iter)
          : TarGzTest.gzip(Mutations.mutate(rnd, TarGzTest.gunzip(valid), iter));
      try {
        TarGz.extract(new ByteArrayInputStream(in), "fuzz.tgz", out, e -> e.startsWith("package/") ? e.substring(8) : null);
      } catch (DataException e) {
        assertTrue(e.getMessage().startsWith("fuzz.tgz: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
      } catch (Throwable t) {
        fail("input " + iter + ": expected only DataException, got " + t, t);
      }
      DataFetch.deleteTree(out);
    }
  }
}
