package io.jdiffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void pageShowsConfigMetricsPicturesAndCheckpoints(@TempDir Path dir) throws Exception {
    Path run = SyntheticRun.create(dir.resolve("my-run"), "images/<cats> & \"dogs\"", 3);
    assertNotNull(LossCurve.write(run));
    Path out = RunReport.write(run);
    assertEquals(run.resolve("report.html"), out);
    String html = Files.readString(out, StandardCharsets.UTF_8);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<h1>Run <code>my-run</code></h1>"));
    // config.json as a table, nested keys dotted, values as in the file
    assertTrue(html.contains("<td>model.baseChannels</td><td>32</td>"), "nested config value");
    assertTrue(html.contains("<td>model.channelMults</td><td>[1, 2, 2]</td>"), "list value");
    assertTrue(html.contains("<td>lr</td><td>0.002</td>"));
    assertTrue(html.contains("<td>steps</td><td>1500</td>"));
    assertTrue(html.contains("<td>schedule.betaSchedule</td><td>linear</td>"));
    assertTrue(html.contains("<td>sampleEvery</td><td>500</td>"));
    // text from files is escaped
    assertTrue(html.contains("images/&lt;cats&gt; &amp; &quot;dogs&quot;"));
    assertFalse(html.contains("<cats>"));
    // metrics summary: 60 rows, last step 1500, two sessions of 400 s + 200 s
    assertTrue(html.contains("<td>last step</td><td>1500</td>"));
    assertTrue(html.contains("<td>total training time</td><td>10 min 00 s</td>"), "400 s + 200 s over two sessions");
    assertTrue(html.contains("<td>sessions (resumes + 1)</td><td>2</td>"));
    assertTrue(html.contains("<td>images/s (last session)</td><td>160.0</td>"));
    // checkpoints and weights
    assertTrue(html.contains("<td>checkpoints/step-0001000.safetensors</td><td>1000</td><td>2.0 kB</td>"));
    assertTrue(html.contains("<td>checkpoints/step-0001500.safetensors</td><td>1500</td><td>4.0 kB</td>"));
    assertTrue(html.contains("weights.safetensors (EMA weights)"));
    // every picture embedded: loss, 3 step grids + final, forward, reverse, GIF
    assertEquals(7, count(html, "data:image/png;base64,"));
    assertEquals(1, count(html, "data:image/gif;base64,"));
    assertTrue(html.contains("<figcaption>step 200</figcaption>"));
    assertTrue(html.contains("<figcaption>final (final.png)</figcaption>"));
    assertFalse(html.contains("src=\"samples/"), "no links that break when the page moves");
    // the embedded loss curve decodes to the loss.png of the run
    Matcher m = Pattern.compile("alt=\"training loss\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    assertTrue(m.find());
    BufferedImage plot = ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
    assertEquals(800, plot.getWidth());
    assertEquals(400, plot.getHeight());
  }

  @Test
  void manyGridsAreThinnedAndMissingPartsAreSaid(@TempDir Path dir) throws Exception {
    Path run = SyntheticRun.create(dir.resolve("r"), "fashion-mnist-subset", 20);
    String html = RunReport.html(run);
    assertEquals(RunReport.MAX_GRIDS, count(html, "<figure><img class=\"grid\""));
    assertTrue(html.contains("<figcaption>step 100</figcaption>"), "first grid kept");
    assertTrue(html.contains("<figcaption>step 2000</figcaption>"), "last step grid kept");
    assertTrue(html.contains("9 more grids in samples/"));
    assertTrue(html.contains("No loss curve yet"), "loss.png was not drawn in this run directory");

    Path bare = Files.createDirectories(dir.resolve("bare"));
    Files.writeString(bare.resolve("metrics.csv"), "step,loss\n");
    String page = RunReport.html(bare);
    assertTrue(page.contains("No config.json."));
    assertTrue(page.contains("No strips yet"));
    assertTrue(page.contains("No checkpoints."));
    assertNull(LossCurve.write(bare), "no rows, no loss curve");

    Path empty = Files.createDirectories(dir.resolve("empty"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunReport.html(empty));
    assertTrue(e.getMessage().contains("not a run directory"), e.getMessage());
  }

  @Test
  void durationsAndNumbersReadWell() {
    assertEquals("42 s", RunReport.duration(42.3));
    assertEquals("10 min 05 s", RunReport.duration(605));
    assertEquals("2 h 03 min", RunReport.duration(2 * 3600 + 3 * 60 + 20));
    assertEquals("0.03950", RunReport.fmt(0.0395));
    assertEquals("2.000e-04", RunReport.fmt(2e-4));
    assertEquals("n/a", RunReport.fmt(Double.NaN));
  }
}
