package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrecisionRecallTest {
  private static double[][] random(int n, int d, double offset, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = offset + r.nextDouble();
      }
    }
    return x;
  }

  @Test
  void identicalSetsHavePrecisionAndRecallOne() {
    double[][] x = random(200, 8, 0, 1);
    PrecisionRecall.Result r = PrecisionRecall.of(x, x, 3);
    assertEquals(1, r.precision());
    assertEquals(1, r.recall());
  }

  @Test
  void farApartSetsHavePrecisionAndRecallZero() {
    PrecisionRecall.Result r = PrecisionRecall.of(random(100, 8, 0, 1), random(120, 8, 100, 2), 3);
    assertEquals(0, r.precision());
    assertEquals(0, r.recall());
  }

  @Test
  void pointsOnALineMatchTheHandCount() {
    // real: 0, 1, ..., 19. Radii (3rd neighbour): 3 at both ends, 2 inside.
    // generated: 0..7 (on real points) and five far points 1000..1004.
    // precision = 8 / 13. Generated radii: 3 at 0 and 7, so real points 0..10 are covered: recall 11 / 20.
    double[][] real = new double[20][];
    for (int i = 0; i < 20; i++) {
      real[i] = new double[] {i};
    }
    double[][] gen = new double[13][];
    for (int i = 0; i < 8; i++) {
      gen[i] = new double[] {i};
    }
    for (int i = 0; i < 5; i++) {
      gen[8 + i] = new double[] {1000 + i};
    }
    PrecisionRecall.Result r = PrecisionRecall.of(real, gen, 3);
    assertEquals(8.0 / 13, r.precision(), 1e-15);
    assertEquals(11.0 / 20, r.recall(), 1e-15);
    PrecisionRecall.Result swapped = PrecisionRecall.of(gen, real, 3);
    assertEquals(r.precision(), swapped.recall(), 1e-15);
    assertEquals(r.recall(), swapped.precision(), 1e-15);
    assertEquals(2 * 2, PrecisionRecall.kthNeighbourSquared(real, 3)[5], 0);
  }

  @Test
  void rejectsKAtLeastTheSetSize() {
    assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.of(random(3, 2, 0, 1), random(10, 2, 0, 2), 3));
  }
}
