package io.jdiffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.eval.features.ClassifierExtractor;
import io.jdiffusion.eval.features.Extractors;
import io.jdiffusion.store.Sha256;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.util.Progress;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PretrainedTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void theShippedModelLoadsVerifiedAndSamplesClothingSizedImages() {
    TrainedModel m = TrainedModel.resolve(null, true);
    assertEquals(1_112_801, m.net().parameterCount());
    assertEquals(Prediction.EPS, m.prediction());
    assertEquals(28, m.config().imageSize());
    int n = 16;
    float[] x = Generate.images(m, n, null, SampleOptions.ddim(20).withSeed(0), Progress.silent(n * 20));
    assertEquals(n * 28 * 28, x.length);
    double mean = 0;
    int dark = 0;
    for (float v : x) {
      assertTrue(v >= 0 && v <= 1);
      mean += v;
      dark += v < 0.05 ? 1 : 0;
    }
    mean /= x.length;
    // Fashion-MNIST: a black background around a bright item, mean pixel 0.286; pure noise would
    // give a mean near 0.5 and almost no exactly-black pixels.
    assertTrue(mean > 0.15 && mean < 0.45, "mean pixel " + mean);
    assertTrue(dark > x.length / 4, "black background pixels: " + dark + " of " + x.length);
  }

  @Test
  void theConditionalModelDrawsTheRequestedClassUnderGuidance() {
    // End to end: class-conditional training with label dropout, sampled through the guidance path at
    // w = 1 (the conditional model, one pass) and w = 3 (2N-image guided pass) with DDIM. The bundled
    // Fashion-MNIST classifier (89.6% test accuracy) judges. At w = 3 the guided x0 leaves [-1, 1]:
    // before eps was re-derived from the clipped x0 (Estimate), DDIM turned these into white blobs
    // (few classified as asked, far brighter than the class). Mean pixel of each class over the 60 000
    // Fashion-MNIST training images: Trouser 0.223, Sandal 0.137, Sneaker 0.168, Bag 0.354.
    TrainedModel m = Pretrained.FASHION_MNIST_COND.load();
    assertEquals(10, m.classNames().size());
    assertEquals("Sneaker", m.classNames().get(7));
    ClassifierExtractor judge = new ClassifierExtractor(Extractors.bundled("fashion-mnist").orElseThrow());
    int n = 8;
    double[] dataMean = {0.326, 0.223, 0.377, 0.259, 0.385, 0.137, 0.332, 0.168, 0.354, 0.301};
    for (double w : new double[] {1, 3}) {
      for (int k : new int[] {1, 5, 7, 8}) { // Trouser, Sandal, Sneaker, Bag
        float[] x = Generate.images(m, n, Conditioning.repeat(k, n), w, SampleOptions.ddim(20).withSeed(100 * k),
            Progress.silent((long) n * 20));
        int hits = 0;
        for (double[] l : judge.extract(x, n, 1, 28, 28).logits()) {
          hits += argmax(l) == k ? 1 : 0;
        }
        String what = m.classNames().get(k) + " at w = " + w;
        assertTrue(hits >= 6, what + ": " + hits + " of " + n + " samples classified as asked");
        double mean = 0;
        for (float v : x) {
          mean += v;
        }
        mean /= x.length;
        assertTrue(mean < dataMean[k] + 0.15, what + ": mean pixel " + mean + ", the class's " + dataMean[k]
            + " (over-saturated)");
      }
    }
  }

  @Test
  void theMnistModelDrawsTheRequestedDigit() {
    // The shipped class-conditional MNIST model, judged by the bundled MNIST classifier (98.3% test
    // accuracy on the held-out split): every digit at guidance 3.
    TrainedModel m = Pretrained.MNIST.load();
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), m.classNames());
    ClassifierExtractor judge = new ClassifierExtractor(Extractors.bundled("mnist").orElseThrow());
    int n = 6;
    int total = 0;
    for (int k = 0; k < 10; k++) {
      float[] x = Generate.images(m, n, Conditioning.repeat(k, n), 3.0, SampleOptions.ddim(20).withSeed(1000 + 10 * k),
          Progress.silent((long) n * 20));
      int hits = 0;
      for (double[] l : judge.extract(x, n, 1, 28, 28).logits()) {
        hits += argmax(l) == k ? 1 : 0;
      }
      assertTrue(hits >= 4, "digit " + k + ": " + hits + " of " + n + " classified as asked");
      total += hits;
    }
    assertTrue(total >= 54, total + " of 60 digits classified as asked");
  }

  private static int argmax(double[] l) {
    int best = 0;
    for (int c = 1; c < l.length; c++) {
      best = l[c] > l[best] ? c : best;
    }
    return best;
  }

  @Test
  void namesResolveAndAreCheckedAgainstThePinnedChecksum() {
    assertSame(Pretrained.FASHION_MNIST, Pretrained.byId("Fashion-MNIST"));
    assertEquals(null, Pretrained.byId("cifar-9"));
    assertEquals(64, Sha256.hex(new byte[0]).length());
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(new byte[0]));
    assertThrows(StoreException.class, () -> TrainedModel.resolve("no-such-model-dir", true));
  }
}
