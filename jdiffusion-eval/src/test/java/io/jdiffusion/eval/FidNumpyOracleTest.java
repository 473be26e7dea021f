package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pytorch-fid's formula evaluated by numpy (bench/eval/fid_oracle.py: np.cov, and the trace of
 * sqrtm(S1 S2) from the eigenvalues of the non-symmetric product) must agree with the Java FID on
 * 64-dimensional, skewed, correlated features. Needs /usr/bin/python3 with numpy (a dependency of
 * python3-torch, which .ci/run installs).
 */
class FidNumpyOracleTest {
  @Test
  void agreesWithNumpyOnCorrelatedSkewedFeatures(@TempDir Path dir) throws Exception {
    int d = 64;
    double[][] x = features(600, d, 0.0, 1);
    double[][] y = features(500, d, 0.3, 2);
    Path fx = write(dir.resolve("x.f64"), x);
    Path fy = write(dir.resolve("y.f64"), y);
    Process p = new ProcessBuilder("/usr/bin/python3", io.jdiffusion.TestTorch.repoRoot().resolve("bench/eval/fid_oracle.py").toString(), fx.toString(), fy.toString(),
        Integer.toString(d)).redirectError(dir.resolve("py.err").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "python3 with numpy is required: " + Files.readString(dir.resolve("py.err")));
    JsonNode py = Json.mapper().readTree(out);

    Moments mx = Moments.of(x);
    assertEquals(py.get("mu1").get(5).asDouble(), mx.mean()[5], 1e-13);
    assertEquals(py.get("cov1_00").asDouble(), mx.covariance()[0][0], 1e-12);
    assertEquals(py.get("cov1_01").asDouble(), mx.covariance()[0][1], 1e-12);
    Fid.Result r = Fid.of(x, y);
    double expected = py.get("fid").asDouble();
    assertTrue(expected > 1, "a non-trivial distance: " + expected);
    assertEquals(expected, r.value(), 1e-8 * expected, "numpy " + py.get("numpy"));
  }

  /** Exponential (skewed) variables mixed by a random matrix, plus a shift. */
  private static double[][] features(int n, int d, double shift, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] mix = new double[d][d];
    SplittableRandom m = new SplittableRandom(77);
    for (double[] row : mix) {
      for (int j = 0; j < d; j++) {
        row[j] = m.nextDouble(-0.5, 0.5);
      }
    }
    double[][] x = new double[n][d];
    double[] z = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        z[j] = -Math.log(1 - r.nextDouble()) + shift * (j % 3);
      }
      for (int i = 0; i < d; i++) {
        row[i] = Rows.dot(mix[i], z);
      }
    }
    return x;
  }

  private static Path write(Path file, double[][] x) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(x.length * x[0].length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double[] row : x) {
      for (double v : row) {
        b.putDouble(v);
      }
    }
    Files.write(file, b.array());
    return file;
  }
}
