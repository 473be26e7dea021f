package io.jdiffusion.eval.features;

import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.Sha256;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.util.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Features of a reference dataset, computed once per (dataset, image shape, n, seed, extractor) and
 * cached as a safetensors file (float32; the extractors compute in float32, so nothing is lost).
 *
 * <p>The reference set is a seeded random subset of {@code n} images (all of them when the
 * dataset is smaller), so that the generated and the reference set have the same size, which FID's
 * bias (Chong &amp; Forsyth 2020) and precision/recall depend on.
 *
 * <p>Cache files live in {@link #defaultCacheDir()} ({@code $XDG_CACHE_HOME/jdiffusion/reference},
 * else {@code ~/.cache/jdiffusion/reference}) under a name holding the SHA-256 of the key; the key
 * is also stored in the file and checked on load.
 */
public final class ReferenceFeatures {
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceFeatures.class);
  public static final String FORMAT = "jdiffusion-reference-features-1";

  private ReferenceFeatures() {}

  /**
   * @param features the features (and logits, when the extractor has them)
   * @param description the dataset's description, e.g. "fashion-mnist train (60000 x 1x28x28)"
   * @param datasetSize images in the whole dataset
   * @param file the cache file (null when caching is off)
   * @param cached whether the features came from the cache
   */
  public record Result(Features features, String description, int datasetSize, Path file, boolean cached) {}

  /** $XDG_CACHE_HOME/jdiffusion/reference, or ~/.cache/jdiffusion/reference. */
  public static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("jdiffusion").resolve("reference");
  }

  /**
   * Features of {@code n} images of dataset {@code spec} drawn with {@code seed}, at
   * {@code channels x size x size}.
   *
   * @param data the dataset {@code spec} names, opened at that shape ({@link Datasets#open})
   * @param cacheDir where to cache, or null for no caching
   */
  public static Result get(String spec, ImageDataset data, int channels, int size, int n, long seed,
      FeatureExtractor fx, Path cacheDir, int batch, java.io.PrintStream progress) throws IOException {
    int count = Math.min(n, data.size());
    String key = String.join("|", FORMAT, spec, data.describe(), channels + "x" + size + "x" + size,
        Integer.toString(count), Long.toString(seed), fx.fingerprint());
    Path file = null;
    if (cacheDir != null) {
      String safe = spec.replaceAll("[^A-Za-z0-9._-]", "_");
      safe = safe.length() > 40 ? safe.substring(safe.length() - 40) : safe;
      file = cacheDir.resolve(fx.name() + "-" + safe + "-n" + count + "-" + Sha256.hex(key.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ".safetensors");
      if (Files.isRegularFile(file)) {
        try {
          Safetensors.Contents c = Safetensors.read(file);
          if (key.equals(c.metadata().get("key"))) {
            return new Result(new Features(rows(c.tensors().get("features")), rows(c.tensors().get("logits"))),
                data.describe(), data.size(), file, true);
          }
        } catch (StoreException e) {
          LOG.warn("warning: ignoring unreadable cache file " + file + " (" + e.getMessage() + ")");
        }
      }
    }
    Progress bar = new Progress("features " + fx.name() + " " + spec, count, progress);
    Features f = FeatureSets.of(fx, data, subset(data.size(), count, seed), batch, bar);
    bar.done();
    if (file != null) {
      Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
      t.put("features", entry(f.features()));
      if (f.logits() != null) {
        t.put("logits", entry(f.logits()));
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("format", FORMAT);
      meta.put("key", key);
      meta.put("dataset", spec);
      meta.put("extractor", fx.fingerprint());
      Safetensors.write(file, t, meta, false);
    }
    return new Result(f, data.describe(), data.size(), file, false);
  }

  /** The first {@code m} positions of a seeded random permutation of [0, n). */
  public static int[] subset(int n, int m, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < m; i++) {
      int j = i + r.nextInt(n - i);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return java.util.Arrays.copyOf(p, m);
  }

  private static Safetensors.Entry entry(double[][] x) {
    int d = x[0].length;
    float[] v = new float[x.length * d];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < d; j++) {
        v[i * d + j] = (float) x[i][j];
      }
    }
    return new Safetensors.Entry(new long[] {x.length, d}, v);
  }

  private static double[][] rows(Safetensors.Entry e) {
    if (e == null) {
      return null;
    }
    int n = (int) e.shape()[0];
    int d = (int) e.shape()[1];
    double[][] out = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        out[i][j] = e.values()[i * d + j];
      }
    }
    return out;
  }
}
