package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.eval.features.ClassifierExtractor;
import io.jdiffusion.eval.features.Extractors;
import io.jdiffusion.eval.features.Features;
import io.jdiffusion.nn.Classifier;
import io.jdiffusion.nn.ClassifierConfig;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.TrainedClassifier;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.train.ClassifierTrainConfig;
import io.jdiffusion.train.ClassifierTrainer;
import io.jdiffusion.util.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  /** Class 0: bright left half; class 1: bright top half; pixels dropped in a per-image pattern. */
  record Halves(int n) implements ImageDataset {
    public int size() {
      return n;
    }

    public int channels() {
      return 1;
    }

    public int height() {
      return 8;
    }

    public int width() {
      return 8;
    }

    public void read(int index, float[] dst, int offset) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean on = (label(index) == 0 ? x < 4 : y < 4) && (x * 3 + y + index) % 5 != 0;
          dst[offset + y * 8 + x] = on ? 0.9f : 0.1f;
        }
      }
    }

    public int label(int index) {
      return (index * 7 / 3) % 2;
    }

    public int numClasses() {
      return 2;
    }

    public List<String> classNames() {
      return List.of("left", "top");
    }

    public String describe() {
      return "halves (" + n + " x 1x8x8)";
    }
  }

  private static final ClassifierConfig MICRO = new ClassifierConfig(1, 8, 2, List.of(8, 8), 4, 16);

  @Test
  void shapesAndParameterCount() {
    ClassifierConfig c = ClassifierConfig.small(1, 28, 10);
    assertEquals(7, c.finalSize());
    Classifier net = new Classifier(c);
    // convs (in*9+1)*out, GN 2*out, hidden (64*7*7+1)*128, head (128+1)*10
    long expected = (9 + 1) * 16 + 32 + (16 * 9 + 1) * 32 + 64 + (32 * 9 + 1) * 32 + 64
        + (32 * 9 + 1) * 64 + 128 + (64 * 9 + 1) * 64 + 128 + (64 * 49 + 1) * 128 + 129 * 10;
    assertEquals(expected, net.parameterCount());
    assertThrows(IllegalArgumentException.class, () -> new ClassifierConfig(1, 28, 10, List.of(6), 4, 8));
  }

  @Test
  void learnsASeparableTaskAndRoundTripsThroughAFile(@TempDir Path dir) throws Exception {
    ClassifierTrainConfig cfg = new ClassifierTrainConfig("micro", "halves", "halves", MICRO,
        new ClassifierTrainConfig.Optimizer(16, 60, 1e-2, 5, 0), 3, 2, io.jdiffusion.nn.Precision.FP32);
    ClassifierTrainer t = new ClassifierTrainer(cfg);
    ClassifierTrainer.Result r = t.run(new Halves(256), Progress.silent(60));
    assertTrue(r.finalLoss() < 0.2, "loss " + r.finalLoss());
    double acc = ClassifierTrainer.accuracy(t.model(), new Halves(97), 32, Progress.silent(97));
    assertTrue(acc > 0.95, "accuracy " + acc);

    Path f32 = dir.resolve("c32.safetensors");
    Path bf16 = dir.resolve("c16.safetensors");
    TrainedClassifier.save(f32, t.model(), "micro", Map.of("test_accuracy", "" + acc), false);
    TrainedClassifier.save(bf16, t.model(), "micro", Map.of(), true);
    float[] x = new float[5 * 64];
    new Halves(5).read(3, x, 0);
    ClassifierExtractor original = new ClassifierExtractor(new TrainedClassifier(t.model(), "micro", Map.of()));
    Features a = original.extract(x, 1, 1, 8, 8);
    TrainedClassifier loaded = TrainedClassifier.load(f32);
    assertEquals("micro", loaded.name());
    assertEquals(MICRO, loaded.config());
    Features b = new ClassifierExtractor(loaded).extract(x, 1, 1, 8, 8);
    assertArrayEquals(a.features()[0], b.features()[0], 0);
    assertArrayEquals(a.logits()[0], b.logits()[0], 0);
    Features c = new ClassifierExtractor(TrainedClassifier.load(bf16)).extract(x, 1, 1, 8, 8);
    assertArrayEquals(a.logits()[0], c.logits()[0], 0.05 * (1 + Math.abs(a.logits()[0][0])));
    assertTrue(new ClassifierExtractor(loaded).checkShape(1, 28, 28).contains("takes 1x8x8"));
    assertThrows(StoreException.class, () -> Extractors.open("classifier:" + dir.resolve("none.safetensors"), "x"));
  }

  @Test
  void bundledFashionClassifierIsAccurate() {
    TrainedClassifier c = Extractors.bundled("fashion-mnist").orElseThrow();
    assertEquals("fashion-classifier", c.name());
    assertTrue(Double.parseDouble(c.metadata().get("test_accuracy")) > 0.88, c.metadata().get("test_accuracy"));
    // the embedded subset holds training images: a load check, the test accuracy is in the metadata
    ImageDataset subset = Datasets.open("fashion-mnist-subset", 28, 1);
    double acc = ClassifierTrainer.accuracy(c.net(), new FirstN(subset, 1000), 250, Progress.silent(1000));
    assertTrue(acc > 0.88, "accuracy on 1000 embedded images " + acc);
    assertTrue(Extractors.bundled("fashion-mnist-test:/somewhere").isPresent());
    assertTrue(Extractors.bundled("some/folder").isEmpty());
    assertEquals(c.config().featureDim(), Extractors.open("auto", "fashion-mnist").dim());
    try (var scope = new org.bytedeco.javacpp.PointerScope()) {
      assertEquals(10, Torch.shape(c.net().parameters().get("head.weight"))[0], "ten classes");
    }
  }

  @Test
  void bundledMnistAndCifarClassifiersAreThereWithTheirAccuracy() {
    // test accuracy as measured by train-classifier on each test split (model cards beside the files)
    TrainedClassifier mnist = Extractors.bundled("mnist").orElseThrow();
    assertEquals("mnist-classifier", mnist.name());
    assertTrue(Double.parseDouble(mnist.metadata().get("test_accuracy")) > 0.97);
    assertTrue(new ClassifierExtractor(mnist).checkShape(1, 28, 28) == null);
    TrainedClassifier cifar = Extractors.bundled("cifar10-test").orElseThrow();
    assertEquals("cifar10-classifier", cifar.name());
    assertTrue(Double.parseDouble(cifar.metadata().get("test_accuracy")) > 0.70);
    assertTrue(new ClassifierExtractor(cifar).checkShape(3, 32, 32) == null);
    assertTrue(new ClassifierExtractor(cifar).checkShape(1, 28, 28).contains("takes 3x32x32"));
    assertEquals(128, Extractors.open("auto", "mnist").dim());
  }

  /** The first n images of a dataset. */
  record FirstN(ImageDataset d, int n) implements ImageDataset {
    public int size() {
      return n;
    }

    public int channels() {
      return d.channels();
    }

    public int height() {
      return d.height();
    }

    public int width() {
      return d.width();
    }

    public void read(int index, float[] dst, int offset) {
      d.read(index, dst, offset);
    }

    public int label(int index) {
      return d.label(index);
    }

    public int numClasses() {
      return d.numClasses();
    }

    public List<String> classNames() {
      return d.classNames();
    }

    public String describe() {
      return "first " + n + " of " + d.describe();
    }
  }
}
