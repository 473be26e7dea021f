package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.eval.features.Features;
import io.jdiffusion.eval.features.TorchScriptInception;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TorchScript Inception path with a stand-in network scripted by PyTorch in the test
 * (bench/eval/standin_inception.py): libtorch's jit::load must run it, and the Java preprocessing
 * (grey to RGB, bilinear 299x299, 2x - 1) must give the features PyTorch computes with pytorch-fid's
 * preprocessing. Needs /usr/bin/python3 with torch (.ci/run installs python3-torch).
 */
class TorchScriptInceptionTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static JsonNode python(Path dir, String mode, float[] images, int n, int c, int h, int w) throws Exception {
    Path file = dir.resolve("images-" + mode + c + ".f32");
    ByteBuffer b = ByteBuffer.allocate(images.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : images) {
      b.putFloat(v);
    }
    Files.write(file, b.array());
    Process p = new ProcessBuilder("/usr/bin/python3", io.jdiffusion.TestTorch.repoRoot().resolve("bench/eval/standin_inception.py").toString(), dir.toString(), mode,
        file.toString(), "" + n, "" + c, "" + h, "" + w).redirectError(dir.resolve("py.err").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(3, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "python3 with torch is required: " + Files.readString(dir.resolve("py.err")));
    return Json.mapper().readTree(out);
  }

  private static float[] images(int n, int c, int h, int w) {
    SplittableRandom r = new SplittableRandom(n * 31L + c);
    float[] x = new float[n * c * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    return x;
  }

  private static void assertClose(JsonNode expected, double[][] actual) {
    assertEquals(expected.size(), actual.length);
    for (int i = 0; i < actual.length; i++) {
      assertEquals(expected.get(i).size(), actual[i].length);
      for (int j = 0; j < actual[i].length; j++) {
        assertEquals(expected.get(i).get(j).asDouble(), actual[i][j], 1e-5, "[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void greyImagesThroughATupleModelMatchPyTorch(@TempDir Path dir) throws Exception {
    float[] x = images(3, 1, 28, 28);
    JsonNode py = python(dir, "tuple", x, 3, 1, 28, 28);
    try (TorchScriptInception m = TorchScriptInception.load(dir.resolve("standin-tuple.pt"), "inception-v3")) {
      assertEquals(8, m.dim());
      assertTrue(m.hasLogits());
      assertTrue(m.fingerprint().startsWith("inception-v3@"));
      Features f = m.extract(x, 3, 1, 28, 28);
      assertClose(py.get("features"), f.features());
      assertClose(py.get("logits"), f.logits());
    }
  }

  @Test
  void rgbImagesThroughAFeaturesOnlyModelMatchPyTorch(@TempDir Path dir) throws Exception {
    float[] x = images(2, 3, 32, 32);
    JsonNode py = python(dir, "tensor", x, 2, 3, 32, 32);
    try (TorchScriptInception m = TorchScriptInception.load(dir.resolve("standin-tensor.pt"), "inception-v3")) {
      assertFalse(m.hasLogits());
      Features f = m.extract(x, 2, 3, 32, 32);
      assertClose(py.get("features"), f.features());
      assertNull(f.logits());
      assertTrue(m.checkShape(4, 32, 32) != null);
    }
  }

  @Test
  void aFileThatIsNotTorchScriptIsACleanError(@TempDir Path dir) throws Exception {
    Path junk = dir.resolve("junk.pt");
    Files.writeString(junk, "not a zip archive");
    StoreException e = assertThrows(StoreException.class, () -> TorchScriptInception.load(junk, "inception-v3"));
    assertTrue(e.getMessage().startsWith(junk + ": not a TorchScript module"), e.getMessage());
    assertThrows(StoreException.class, () -> TorchScriptInception.load(dir.resolve("missing.pt"), "x"));
  }
}
