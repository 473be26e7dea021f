package io.jdiffusion.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.data.DataHome;
import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.FashionMnist;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.eval.features.Extractors;
import io.jdiffusion.pipeline.TrainedClassifier;
import io.jdiffusion.train.ClassifierTrainer;
import io.jdiffusion.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loaders on the real data, where {@code jdiffusion data fetch} (or apt-get) has put it on
 * this machine; skipped, not passed, where it has not. Nothing is downloaded.
 */
class RealDataTest {
  private static Path fetched(String name) {
    Path dir = DataHome.dir(name);
    assumeTrue(Files.isRegularFile(dir.resolve(DataFetch.MARKER)), name + " not fetched into " + dir);
    return dir;
  }

  @Test
  void mnistChecksOut() {
    List<String> report = DataCheck.check("mnist", fetched("mnist"));
    assertTrue(report.get(0).startsWith("train   9000 images 1x28x28, mean 0.1315"), report.get(0));
  }

  @Test
  void cifar10HasThePublishedStatistics() {
    Path dir = fetched("cifar10");
    List<String> report = DataCheck.check("cifar10", dir);
    assertTrue(report.get(0).contains("mean 0.4914 0.4822 0.4465, std 0.2470 0.2435 0.2616"), report.get(0));
    ImageDataset test = Datasets.open("cifar10-test", 32, 3);
    assertEquals(10000, test.size());
  }

  @Test
  void emojiChecksOut() {
    List<String> report = DataCheck.check("emoji", fetched("emoji"));
    assertTrue(report.get(0).startsWith("all     3786 images 3x64x64"), report.get(0));
  }

  @Test
  void debianFashionMnistChecksOut() {
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
    List<String> report = DataCheck.check("fashion-mnist", FashionMnist.DEFAULT_DIR);
    assertTrue(report.get(0).contains("mean 0.2860, std 0.3530"), report.get(0));
  }

  /** The bundled classifiers reach the accuracy their model cards state, on the real test splits. */
  @Test
  void bundledClassifiersReachTheirStatedTestAccuracy() {
    TestTorch.init();
    String[][] cases = {{"mnist", "mnist-test", "1", "28"}, {"cifar10", "cifar10-test", "3", "32"}};
    int checked = 0;
    for (String[] c : cases) {
      if (!Files.isRegularFile(DataHome.dir(c[0]).resolve(DataFetch.MARKER))) {
        continue;
      }
      TrainedClassifier clf = Extractors.bundled(c[0]).orElseThrow();
      ImageDataset test = Datasets.open(c[1], Integer.parseInt(c[3]), Integer.parseInt(c[2]));
      double acc = ClassifierTrainer.accuracy(clf.net(), test, 250, Progress.silent(test.size()));
      assertEquals(Double.parseDouble(clf.metadata().get("test_accuracy")), acc, 0.002, c[0]);
      checked++;
    }
    assumeTrue(checked > 0, "neither mnist nor cifar10 fetched");
  }
}
