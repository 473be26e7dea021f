package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.data.DatasetSpecs;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dataset-spec facts evaluation relies on: family, test split and native shape. */
class DatasetSpecsTest {
  @Test
  void familiesAndTestSplits() {
    assertEquals(Optional.of("fashion-mnist"), DatasetSpecs.family("fashion-mnist-subset"));
    assertEquals(Optional.of("fashion-mnist"), DatasetSpecs.family("fashion-mnist-test:/data/fm"));
    assertEquals(Optional.of("fashion-mnist"), DatasetSpecs.family(null));
    assertEquals(Optional.empty(), DatasetSpecs.family("my/images"));
    assertEquals(Optional.of("fashion-mnist-test"), DatasetSpecs.testSplit("fashion-mnist"));
    assertEquals(Optional.of("fashion-mnist-test"), DatasetSpecs.testSplit("fashion-mnist-subset"));
    assertEquals(Optional.of("fashion-mnist-test:/data/fm"), DatasetSpecs.testSplit("fashion-mnist:/data/fm"));
    assertEquals(Optional.empty(), DatasetSpecs.testSplit("fashion-mnist-test"));
    assertEquals(Optional.empty(), DatasetSpecs.testSplit("my/images"));
    assertArrayEquals(new int[] {1, 28}, DatasetSpecs.nativeShape("fashion-mnist").orElseThrow());
    assertEquals(Optional.empty(), DatasetSpecs.nativeShape("my/images"));
  }
}
