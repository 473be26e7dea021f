package io.jdiffusion.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The 429's Retry-After: a place frees every mean run time / K seconds; whole seconds, at least 1. */
class RetryAfterTest {
  @Test
  void withoutHistoryItSaysOneSecond() {
    assertEquals(1, new RetryAfter(2).seconds());
  }

  @Test
  void itIsTheMeanRunTimeOverTheWorkersRoundedUp() {
    RetryAfter r = new RetryAfter(2);
    r.finished(5.0);
    assertEquals(3, r.seconds()); // 5 / 2 = 2.5 -> 3
    r.finished(10.0); // mean 5 + 0.2 * (10 - 5) = 6
    assertEquals(3, r.seconds());
    r.finished(16.0); // mean 6 + 0.2 * 10 = 8
    assertEquals(4, r.seconds());
  }

  @Test
  void shortRequestsStillWaitAtLeastOneSecond() {
    RetryAfter r = new RetryAfter(4);
    r.finished(0.01);
    assertEquals(1, r.seconds());
  }
}
