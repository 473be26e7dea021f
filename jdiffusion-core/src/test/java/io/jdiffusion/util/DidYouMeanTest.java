package io.jdiffusion.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
  @Test
  void theClosestNameWithinTwoEdits() {
    List<String> known = List.of("fashion-mnist", "fashion-mnist-cond", "mnist");
    assertEquals("fashion-mnist", DidYouMean.closest("fashon-mnist", known));
    assertEquals("mnist", DidYouMean.closest("MNSIT", known)); // a swap is two edits
    assertEquals("dpm++2m", DidYouMean.closest("dmp++2m", List.of("ddim", "dpm++2m", "euler")));
    assertNull(DidYouMean.closest("cifar10", known));
    assertNull(DidYouMean.closest("mnist", known), "an exact name is no typo");
    assertNull(DidYouMean.closest("ab", List.of("ad")), "one edit in two letters is a different word");
    assertEquals(3, DidYouMean.distance("kitten", "sitting"));
    assertEquals("; did you mean 'euler'?", DidYouMean.hint("eulr", List.of("euler", "heun")));
    assertEquals("", DidYouMean.hint("plms", List.of("euler", "heun")));
  }
}
