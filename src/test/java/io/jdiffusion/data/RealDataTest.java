package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
}
