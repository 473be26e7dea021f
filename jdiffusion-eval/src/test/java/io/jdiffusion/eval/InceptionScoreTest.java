package io.jdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class InceptionScoreTest {
  @Test
  void uniformPredictorScoresOne() {
    double[][] p = new double[100][7];
    for (double[] row : p) {
      java.util.Arrays.fill(row, 1.0 / 7);
    }
    InceptionScore.Result r = InceptionScore.ofProbabilities(p, 10);
    assertEquals(1, r.mean(), 1e-12);
    assertEquals(0, r.std(), 1e-12);
  }

  @Test
  void confidentBalancedPredictorScoresTheClassCount() {
    int c = 10;
    double[][] p = new double[10 * c * 3][c]; // every split holds each class 3 times
    double[][] logits = new double[p.length][c];
    for (int i = 0; i < p.length; i++) {
      p[i][i % c] = 1;
      logits[i][i % c] = 200; // softmax is one-hot to double precision
    }
    assertEquals(c, InceptionScore.ofProbabilities(p, 10).mean(), 1e-9);
    assertEquals(0, InceptionScore.ofProbabilities(p, 10).std(), 1e-9);
    assertEquals(c, InceptionScore.ofLogits(logits, 10).mean(), 1e-9);
  }

  @Test
  void twoSoftClassesMatchTheClosedForm() {
    // half the rows (q, 1-q), half (1-q, q): p(y) = (1/2, 1/2), KL = log 2 + q log q + (1-q) log(1-q),
    // so IS = 2 q^q (1-q)^(1-q).
    double q = 0.8;
    double[][] p = new double[40][];
    for (int i = 0; i < p.length; i++) {
      p[i] = i % 2 == 0 ? new double[] {q, 1 - q} : new double[] {1 - q, q};
    }
    double expected = 2 * Math.pow(q, q) * Math.pow(1 - q, 1 - q);
    assertEquals(expected, InceptionScore.ofProbabilities(p, 4).mean(), 1e-12);
    double[][] logits = new double[p.length][];
    for (int i = 0; i < p.length; i++) {
      logits[i] = new double[] {Math.log(p[i][0]) + 3, Math.log(p[i][1]) + 3}; // shift-invariant
    }
    assertEquals(expected, InceptionScore.ofLogits(logits, 4).mean(), 1e-12);
  }

  @Test
  void splitsAreConsecutiveParts() {
    // first half confident class 0, second half confident class 1: with one split IS = 2, with two
    // splits each part is a single class, so each scores 1
    double[][] p = new double[20][];
    for (int i = 0; i < 20; i++) {
      p[i] = i < 10 ? new double[] {1, 0} : new double[] {0, 1};
    }
    assertEquals(2, InceptionScore.ofProbabilities(p, 1).mean(), 1e-12);
    assertEquals(1, InceptionScore.ofProbabilities(p, 2).mean(), 1e-12);
  }

  @Test
  void rejectsInvalidInput() {
    assertThrows(IllegalArgumentException.class, () -> InceptionScore.ofProbabilities(new double[][] {{0.5, 0.6}}, 1));
    assertThrows(IllegalArgumentException.class, () -> InceptionScore.ofProbabilities(new double[][] {{0.5, 0.5}}, 2));
  }
}
