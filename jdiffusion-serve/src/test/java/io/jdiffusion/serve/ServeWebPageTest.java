package io.jdiffusion.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Samplers;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in headless Chromium, driven over the DevTools protocol: generate with a live
 * preview, paint a mask on a result and inpaint it, then check the screenshot (kept where the
 * system property jdiffusion.screenshot says). Skipped when no Chromium is installed.
 */
class ServeWebPageTest {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 1400;

  @Test
  void generateWatchProgressAndInpaintInTheBrowser(@TempDir Path dir) throws Exception {
    Path browser = io.jdiffusion.Chromium.binary();
    Assumptions.assumeTrue(browser != null, "no chromium installed (apt-get install chromium)");
    ServeConfig c = ServeConfig.defaults(0, List.of("fashion-mnist"), "jdiffusion test");
    try (Server server = Server.start(c);
        DevTools page = DevTools.open(browser, "http://127.0.0.1:" + server.port() + "/", dir.resolve("profile"), WIDTH,
            HEIGHT)) {
      page.await("window.jdiffusion && window.jdiffusion.state.models.length > 0", 60);
      page.eval("$('steps').value = 20; $('seed').value = 7; $('n').value = 4; $('generate').click(); true", 10);
      page.await("window.jdiffusion.stats.results === 1 || window.jdiffusion.stats.errors > 0", 120);
      JsonNode stats = page.eval("window.jdiffusion.stats", 10);
      assertEquals(0, stats.path("errors").asInt(), page.eval("$('status').textContent", 10).asText());
      assertTrue(stats.path("previews").asInt() > 1, "no live previews: " + stats);
      assertTrue(stats.path("progress").asInt() > 1, "no progress events: " + stats);
      assertEquals(4, page.eval("document.querySelectorAll('#result img').length", 10).asInt());
      // the page shows the library's images for these settings
      String first = page.eval("document.querySelector('#result img').src", 10).asText();
      TrainedModel m = TrainedModel.resolve("fashion-mnist", true);
      try {
        SampleOptions o = m.sampling().toBuilder().steps(20).seed(7).build(); // the page starts from the model's defaults
        BufferedImage expected = new Images(Generate.images(m, 1, null, o, null), 1, 1, 28, 28).image(0);
        BufferedImage shown = ServeClient.decode(Base64.getDecoder().decode(first.substring(first.indexOf(',') + 1)));
        assertArrayEquals(ServeClient.pixels(expected), ServeClient.pixels(shown));
      } finally {
        m.net().close();
      }

      // inpaint: pick the first result, paint its upper half with the mouse, run
      page.eval("document.querySelector('#result img').click(); $('jump').value = 2; $('resample').value = 2;"
          + " $('n').value = 2; true", 10);
      JsonNode r = page.eval("(() => { const b = $('overlay-canvas').getBoundingClientRect();"
          + " return {x: b.left, y: b.top, w: b.width, h: b.height}; })()", 10);
      double x0 = r.path("x").asDouble();
      double y0 = r.path("y").asDouble();
      double w = r.path("w").asDouble();
      page.mouse("mousePressed", x0 + 10, y0 + 20);
      for (int i = 0; i <= 20; i++) {
        page.mouse("mouseMoved", x0 + 10 + i * (w - 20) / 20, y0 + 20 + (i % 2) * 40);
      }
      page.mouse("mouseReleased", x0 + w - 10, y0 + 20);
      int painted = page.eval("(() => { const d = $('mask-canvas').getContext('2d').getImageData(0, 0, 224, 224).data;"
          + " let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] > 127) n++; } return n; })()", 10).asInt();
      assertTrue(painted > 2000, "the mouse painted only " + painted + " mask pixels");
      page.eval("$('inpaint-run').click(); true", 10);
      page.await("window.jdiffusion.stats.results === 2 || window.jdiffusion.stats.errors > 0", 180);
      assertEquals(0, page.eval("window.jdiffusion.stats.errors", 10).asInt(),
          page.eval("$('status').textContent", 10).asText());
      assertEquals("inpaint", page.eval("window.jdiffusion.state.history[0].provenance.op", 10).asText());
      assertEquals(2, page.eval("document.querySelectorAll('#history li').length", 10).asInt());
      assertTrue(page.eval("$('result-params').textContent", 10).asText().contains("resample=2"));

      // the screenshot shows the result images: many grey levels inside the result panel
      JsonNode box = page.eval("(() => { const b = $('result').getBoundingClientRect();"
          + " return {x: b.left, y: b.top, w: b.width, h: b.height}; })()", 10);
      String png = page.call("Page.captureScreenshot", Map.of("format", "png"), 30).path("data").asText();
      BufferedImage shot = ServeClient.decode(Base64.getDecoder().decode(png));
      assertEquals(WIDTH, shot.getWidth());
      Set<Integer> colours = new HashSet<>();
      for (int y = box.path("y").asInt(); y < box.path("y").asInt() + box.path("h").asInt(); y++) {
        for (int x = box.path("x").asInt(); x < box.path("x").asInt() + box.path("w").asInt(); x++) {
          colours.add(shot.getRGB(x, y) & 0xFFFFFF);
        }
      }
      assertTrue(colours.size() > 30, "the result panel looks empty: " + colours.size() + " colours");
      String keep = System.getProperty("jdiffusion.screenshot"); // e.g. docs/images/serve-page.png
      java.nio.file.Files.write(keep != null ? Path.of(keep) : dir.resolve("page.png"), Base64.getDecoder().decode(png));
    }
  }
}
