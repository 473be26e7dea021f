package io.jdiffusion.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Progress: a bar on terminals, plain lines in logs, images/s as the rate of sampling. */
class ProgressTest {
  @Test
  void aLogGetsPlainLinesWithoutCarriageReturns() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p = new Progress("sample", 800, Progress.Style.LINES, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    p.rate("images", 50);
    for (int i = 1; i <= 800; i++) {
      p.update(i); // all within the first 10 s: only the final line is written
    }
    p.done();
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("\r"), text);
    assertEquals(1, text.lines().count(), text); // the final line, once
    assertTrue(text.startsWith("sample 100% "), text);
    assertTrue(text.contains(" images/s elapsed "), text);
  }

  @Test
  void theRateIsInTheGivenUnit() {
    Progress p = new Progress("sample", 800, Progress.Style.BAR, System.err).rate("images", 50);
    // 400 image-steps in 2 s at 50 steps an image: 4 images/s, half done, 2 s to go
    assertEquals("sample  50% 4.0 images/s [############............] elapsed 00:02 ETA 00:02", p.line(400, 2.0));
    Progress q = new Progress("train", 1500, Progress.Style.LINES, System.err);
    q.status("loss 0.0412");
    assertEquals("train 300/1500 loss 0.0412 elapsed 00:10 ETA 00:40", q.line(300, 10.0));
  }

  @Test
  void quietPrintsNothing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p = new Progress("x", 10, true, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    p.update(5);
    p.done();
    assertEquals(0, bytes.size());
  }
}
