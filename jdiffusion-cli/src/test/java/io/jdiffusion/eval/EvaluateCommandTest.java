package io.jdiffusion.eval;

import static io.jdiffusion.cli.CliTest.assertCleanError;
import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.cli.CliTest.Run;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.nn.Classifier;
import io.jdiffusion.nn.ClassifierConfig;
import io.jdiffusion.pipeline.TrainedClassifier;
import io.jdiffusion.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code evaluate} command end to end on small sets, and its error conventions. */
class EvaluateCommandTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** Writes images [from, from + n) of the embedded Fashion-MNIST subset as PNGs. */
  static Path fashionFolder(Path dir, int from, int n) {
    ImageDataset d = Datasets.open("fashion-mnist-subset", 28, 1);
    float[] x = new float[n * 784];
    for (int i = 0; i < n; i++) {
      d.read(from + i, x, i * 784);
    }
    for (int i = 0; i < n; i++) {
      ImageGrid.writeImage(dir.resolve(String.format("%03d.png", i)), x, i, 1, 28, 28);
    }
    return dir;
  }

  static Path noiseFolder(Path dir, int n) {
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[n * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      ImageGrid.writeImage(dir.resolve(String.format("%03d.png", i)), x, i, 1, 28, 28);
    }
    return dir;
  }

  @Test
  void imageFoldersAgainstTheEmbeddedSubset(@TempDir Path dir) throws Exception {
    Path real = fashionFolder(Files.createDirectories(dir.resolve("real")), 5000, 40);
    Path test = fashionFolder(Files.createDirectories(dir.resolve("test")), 6000, 40);
    Path noise = noiseFolder(Files.createDirectories(dir.resolve("noise")), 40);
    Path cache = dir.resolve("cache");
    String[] common = {"--ref", "fashion-mnist-subset", "--n", "40", "--kid-subsets", "10", "--cache-dir",
        cache.toString(), "-q"};
    Run a = run(concat(new String[] {"evaluate", real.toString(), "--floor", "--test-ref", test.toString()}, common));
    assertEquals(0, a.code(), a.err());
    for (String m : List.of("FID(fashion-classifier)", "KID(fashion-classifier)", "IS(fashion-classifier)",
        "precision(fashion-classifier)", "recall(fashion-classifier)", "floor (train vs test)", "(test split)")) {
      assertTrue(a.out().contains(m), m + " missing from:\n" + a.out());
    }
    JsonNode ja = Json.mapper().readTree(real.resolve("metrics.json").toFile());
    assertEquals("images", ja.get("source").get("kind").asText());
    assertEquals(40, ja.get("n").asInt());
    assertEquals(40, ja.get("extractors").get(0).get("generated").get("kid").get("subsetSize").asInt());
    double fidReal = ja.get("metrics").get("FID(fashion-classifier)").asDouble();
    assertTrue(ja.get("floor").has("FID(fashion-classifier)"));
    try (Stream<Path> files = Files.list(cache)) {
      assertEquals(2, files.count(), "reference and test-split features cached");
    }

    Run again = run(concat(new String[] {"evaluate", real.toString(), "-o", dir.resolve("again.json").toString()}, common));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("(cached)"), again.err());
    JsonNode jb = Json.mapper().readTree(dir.resolve("again.json").toFile());
    assertEquals(fidReal, jb.get("metrics").get("FID(fashion-classifier)").asDouble(), 1e-9, "cache gives the same numbers");
    assertFalse(jb.has("floor"));

    Run bad = run(concat(new String[] {"evaluate", noise.toString()}, common));
    assertEquals(0, bad.code(), bad.err());
    JsonNode jn = Json.mapper().readTree(noise.resolve("metrics.json").toFile());
    double fidNoise = jn.get("metrics").get("FID(fashion-classifier)").asDouble();
    // 40 images in 128 dimensions bias FID upwards a lot; the unbiased KID separates more clearly
    assertTrue(fidNoise > 2 * fidReal, "noise FID " + fidNoise + " vs real images " + fidReal);
    double kidReal = ja.get("metrics").get("KID(fashion-classifier)").asDouble();
    double kidNoise = jn.get("metrics").get("KID(fashion-classifier)").asDouble();
    assertTrue(kidNoise > 5 * Math.abs(kidReal), "noise KID " + kidNoise + " vs real images " + kidReal);
    // noise collapses to one spot in feature space: no diversity, so recall drops (precision may not)
    assertTrue(jn.get("metrics").get("recall(fashion-classifier)").asDouble()
        < 0.5 * ja.get("metrics").get("recall(fashion-classifier)").asDouble(), bad.out() + a.out());
  }

  @Test
  void runDirectoryWithTwoExtractors(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    Run t = run("train", "--out", runDir.toString(), "--steps", "2", "--final-samples", "0", "--image-size", "28",
        "--base-channels", "8", "--channel-mults", "1,2", "--attention-res", "14", "--groups", "4", "--heads", "2",
        "--timesteps", "20", "--batch-size", "4", "--threads", "2", "-q");
    assertEquals(0, t.code(), t.err());
    torch.manual_seed(1);
    Path other = dir.resolve("other.safetensors");
    TrainedClassifier.save(other, new Classifier(new ClassifierConfig(1, 28, 10, List.of(8, 8), 4, 12)), "random-net",
        Map.of(), true);
    Run e = run("evaluate", runDir.toString(), "--ref", "fashion-mnist-subset", "--n", "12", "--steps", "2",
        "--kid-subsets", "3", "--no-cache", "--extractor", "auto", "--extractor", "classifier:" + other, "-q");
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("FID(fashion-classifier)") && e.out().contains("FID(random-net)"), e.out());
    JsonNode j = Json.mapper().readTree(runDir.resolve("metrics.json").toFile());
    assertEquals("model", j.get("source").get("kind").asText());
    assertEquals(2, j.get("source").get("sampling").get("steps").asInt());
    assertEquals(12, j.get("extractors").get(1).get("dim").asInt());
  }

  @Test
  void aBuiltInDatasetAsSourceGivesTheSplitToSplitNumbers(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("m.json");
    Run r = run("evaluate", "fashion-mnist-subset", "--ref", "fashion-mnist-subset", "--n", "30", "--seed", "1",
        "--kid-subsets", "2", "--no-cache", "-o", json.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    JsonNode j = Json.mapper().readTree(json.toFile());
    assertEquals("dataset", j.get("source").get("kind").asText());
    assertTrue(j.get("metrics").get("FID(fashion-classifier)").asDouble() > 0);
    // the same subset on both sides: FID 0 up to rounding, precision and recall 1
    Run same = run("evaluate", "fashion-mnist-subset", "--ref", "fashion-mnist-subset", "--n", "30", "--kid-subsets", "2",
        "--no-cache", "-o", json.toString(), "-q");
    assertEquals(0, same.code(), same.err());
    JsonNode k = Json.mapper().readTree(json.toFile());
    assertEquals(0, k.get("metrics").get("FID(fashion-classifier)").asDouble(), 1e-6);
    assertEquals(1, k.get("metrics").get("precision(fashion-classifier)").asDouble());
    assertEquals(1, k.get("metrics").get("recall(fashion-classifier)").asDouble());
  }

  @Test
  void badInputIsOneErrorLine(@TempDir Path dir) throws Exception {
    Path real = fashionFolder(Files.createDirectories(dir.resolve("real")), 0, 8);
    assertCleanError(run("evaluate", dir.resolve("nope").toString(), "--ref", "fashion-mnist-subset"), "nope");
    assertCleanError(run("evaluate", real.toString()), "--ref");
    assertCleanError(run("evaluate", real.toString(), "--ref", "fashion-mnist-subset", "--n", "1"), "--n must be >= 2");
    assertCleanError(run("evaluate", real.toString(), "--ref", "fashion-mnist-subset", "--extractor", "vgg"),
        "unknown extractor 'vgg'");
    assertCleanError(run("evaluate", real.toString(), "--ref", "fashion-mnist-subset", "--image-size", "32"),
        "fashion-classifier takes 1x28x28 images, got 1x32x32");
    assertCleanError(run("evaluate", real.toString(), "--ref", real.toString(), "--image-size", "28", "--channels", "1"),
        "no bundled classifier");
    assertCleanError(run("evaluate", real.toString(), "--ref", real.toString(), "--floor"), "--test-ref");
    assertCleanError(run("evaluate", real.toString(), "--ref", "fashion-mnist-subset", "--extractor",
        "inception:" + dir.resolve("missing.pt")), "missing.pt");
    assertCleanError(run("evaluate", real.toString(), "--ref", "fashion-mnist-subset", "--n", "3", "--no-cache", "-q"),
        "--k must be less than --n");
    assertCleanError(run("train-classifier", "--epochs", "0"), "--epochs must be > 0");
    assertCleanError(run("train-classifier", "--data", real.toString()), "--test");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
