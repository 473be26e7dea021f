package io.jdiffusion.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.cli.Main;
import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.ImageToImage;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.Inpaint;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.Interpolate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;

/**
 * The JSON API against a real server on a random loopback port: results identical to the library's
 * and the command line's for the same seeds (also under concurrency), provenance, progress events,
 * cancellation, the queue limit, and one test per class of bad request.
 */
class ServeApiTest {
  private static final String VERSION = "jdiffusion test";
  private static Server server;
  private static ServeClient client;
  private static TrainedModel plain;
  private static TrainedModel cond;

  @BeforeAll
  static void start() {
    ServeConfig c = ServeConfig.defaults(0, List.of("fashion-mnist", "fashion-mnist-cond"), VERSION)
        .withConcurrency(2, 2).withLimits(16, 400, 64 * 64, 64 << 10, 300);
    server = Server.start(c);
    client = new ServeClient(server.port());
    plain = TrainedModel.resolve("fashion-mnist", true);
    cond = TrainedModel.resolve("fashion-mnist-cond", true);
  }

  @AfterAll
  static void stop() {
    server.close();
    plain.net().close();
    cond.net().close();
  }

  /** What a request that names no sampler gets: the model's own defaults (as sample's), with these steps and seed. */
  private static SampleOptions ddim(TrainedModel m, int steps, long seed) {
    return m.sampling().toBuilder().steps(steps).seed(seed).build();
  }

  private static Progress none() {
    return Progress.silent(1);
  }

  /** The images of a JSON result, decoded. */
  private static List<BufferedImage> images(JsonNode result) {
    List<BufferedImage> out = new ArrayList<>();
    result.path("images").forEach(i -> out.add(ServeClient.image(i.path("png").asText())));
    return out;
  }

  private static void assertSameImages(float[] library, int n, TrainedModel m, List<BufferedImage> served) {
    Images expected = new Images(library, n, m.config().inChannels(), m.config().imageSize(), m.config().imageSize());
    assertEquals(n, served.size());
    for (int i = 0; i < n; i++) {
      assertArrayEquals(ServeClient.pixels(expected.image(i)), ServeClient.pixels(served.get(i)), "image " + i);
    }
  }

  @Test
  void healthAndModelsDescribeTheServer() {
    ServeClient.Reply h = client.get("/api/health");
    assertEquals(200, h.status());
    assertEquals("ok", h.json().path("status").asText());
    JsonNode models = client.get("/api/models").json();
    assertEquals("fashion-mnist", models.path("models").get(0).path("name").asText());
    JsonNode c = models.path("models").get(1);
    assertEquals("fashion-mnist-cond", c.path("name").asText());
    assertEquals(10, c.path("classes").size());
    assertEquals("Sneaker", c.path("classes").get(7).asText());
    assertEquals(28, c.path("imageSize").asInt());
    assertEquals("ddim", c.path("defaultSampler").asText());
    assertEquals(16, models.path("limits").path("maxImages").asInt());
  }

  @Test
  void generateGivesTheLibrarysImagesWithProvenance() {
    ServeClient.Reply r = client.post("/api/generate", "{\"n\": 3, \"steps\": 10, \"seed\": 7}");
    assertEquals(200, r.status(), r.text());
    JsonNode j = r.json();
    float[] library = Generate.images(plain, 3, null, ddim(plain, 10, 7), null);
    assertSameImages(library, 3, plain, images(j));
    JsonNode p = j.path("provenance");
    assertEquals("fashion-mnist", p.path("model").asText());
    assertEquals("ddim", p.path("sampler").asText());
    assertEquals(10, p.path("steps").asInt());
    assertEquals(plain.sampling().eta(), p.path("eta").asDouble()); // the shipped model's own default: eta 1
    assertEquals(7, p.path("seed").asLong());
    assertEquals(VERSION, p.path("version").asText());
    assertEquals(8, j.path("images").get(1).path("seed").asLong());
  }

  @Test
  void concurrentRequestsWithOneSeedGiveIdenticalImages() throws Exception {
    float[] library = Generate.images(plain, 2, null, ddim(plain, 8, 42), null);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ServeClient.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 4; i++) { // 2 computing, 2 queued: never more than the server accepts
        // as a real client: a 429 (a job of an earlier test may still hold a place) is retried after Retry-After
        replies.add(pool.submit(() -> client.postWhenRoom("/api/generate", "{\"n\": 2, \"steps\": 8, \"seed\": 42}")));
      }
      for (Future<ServeClient.Reply> f : replies) {
        ServeClient.Reply r = f.get();
        assertEquals(200, r.status(), r.text());
        assertSameImages(library, 2, plain, images(r.json()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void pngResultIsTheCommandLinesGridWithTextChunks(@TempDir Path dir) throws Exception {
    ServeClient.Reply r = client.post("/api/generate?format=png", "{\"n\": 4, \"steps\": 10, \"seed\": 3}");
    assertEquals(200, r.status(), r.text());
    assertEquals("image/png", r.type());
    Path cli = dir.resolve("cli.png");
    assertEquals(0, Main.execute("sample", "-n", "4", "--steps", "10", "--seed", "3", "-q", "-o", cli.toString()));
    assertArrayEquals(ServeClient.pixels(ImageIO.read(cli.toFile())), ServeClient.pixels(ServeClient.decode(r.body())));
    java.util.Map<String, String> text = textChunks(r.body());
    assertEquals(VERSION, text.get("Software"));
    // the same provenance layout as the command line's PNG, the same model digest and settings
    com.fasterxml.jackson.databind.JsonNode served = io.jdiffusion.store.Json.mapper().readTree(text.get("jdiffusion"));
    com.fasterxml.jackson.databind.JsonNode written = io.jdiffusion.store.Json.mapper().readTree(
        io.jdiffusion.image.PngText.read(cli).get("jdiffusion"));
    assertEquals("fashion-mnist", served.get("model").asText());
    for (String key : new String[] {"model_sha256", "sampler", "steps", "eta", "seed", "spacing", "precision"}) {
      assertEquals(written.get(key), served.get(key), key);
    }
  }

  @Test
  void conditionalGenerationWithGuidanceMatchesTheLibrary() {
    ServeClient.Reply r = client.post("/api/generate",
        "{\"model\": \"fashion-mnist-cond\", \"n\": 2, \"sampler\": \"dpm++2m\", \"steps\": 6, \"seed\": 5,"
            + " \"class\": \"Sneaker\", \"guidance\": 3}");
    assertEquals(200, r.status(), r.text());
    SampleOptions o = SampleOptions.defaultsFor(Samplers.DPMPP_2M, cond.schedule()).toBuilder().steps(6).seed(5).build();
    float[] library = Generate.images(cond, 2, Conditioning.repeat(7, 2), 3, o, null);
    assertSameImages(library, 2, cond, images(r.json()));
    assertEquals("Sneaker", r.json().path("provenance").path("class").asText());
    assertEquals(3.0, r.json().path("provenance").path("guidance").asDouble());
  }

  @Test
  void editingOperationsMatchTheLibrary() {
    BufferedImage shirt = new Images(Generate.images(plain, 1, null, ddim(plain, 5, 1), null), 1, 1, 28, 28).image(0);
    BufferedImage mask = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 14; y++) {
      for (int x = 0; x < 28; x++) {
        mask.getRaster().setSample(x, y, 0, 255);
      }
    }
    String img = ServeClient.base64Png(shirt);
    float[] input = InputImages.of(shirt, plain.config());

    ServeClient.Reply in = client.post("/api/inpaint", "{\"image\": \"" + img + "\", \"mask\": \"data:image/png;base64,"
        + ServeClient.base64Png(mask) + "\", \"n\": 2, \"steps\": 6, \"jump\": 2, \"resample\": 2, \"seed\": 9}");
    assertEquals(200, in.status(), in.text());
    SampleOptions ddpm = SampleOptions.builder(Samplers.DDPM).steps(6).seed(9).batch(2).build();
    float[] filled = Inpaint.run(plain, input, InputImages.mask(mask, 28), 2, 2, 2, null, 1, ddpm, none());
    assertSameImages(filled, 2, plain, images(in.json()));
    assertEquals(2, in.json().path("provenance").path("resample").asInt());

    ServeClient.Reply edit = client.post("/api/img2img", "{\"image\": \"" + img + "\", \"strength\": 0.5, \"n\": 2,"
        + " \"steps\": 8, \"seed\": 4}");
    assertEquals(200, edit.status(), edit.text());
    SampleOptions ddim = SampleOptions.builder(Samplers.DDIM).steps(8).eta(0).seed(4).batch(2).build();
    assertSameImages(ImageToImage.run(plain, input, 0.5, 2, null, 1, ddim, none()), 2, plain, images(edit.json()));

    ServeClient.Reply path = client.post("/api/interpolate", "{\"a\": \"" + img + "\", \"b\": \"" + img
        + "\", \"frames\": 3, \"steps\": 5}");
    assertEquals(200, path.status(), path.text());
    SampleOptions inv = SampleOptions.builder(Samplers.DDIM).steps(5).batch(3).build();
    assertSameImages(Interpolate.run(plain, input, input, 3, 0, inv, none()).frames(), 3, plain, images(path.json()));
    assertTrue(path.json().path("provenance").has("reconstructionError"));
  }

  @Test
  void progressStreamShowsStepsPreviewsAndTheResult() {
    ServeClient.Reply queued = client.post("/api/jobs/generate?preview=2", "{\"n\": 2, \"steps\": 6, \"seed\": 11}");
    assertEquals(202, queued.status(), queued.text());
    String id = queued.json().path("id").asText();
    List<String> events = new ArrayList<>();
    List<String> data = new ArrayList<>();
    client.lines("/api/jobs/" + id + "/events").forEach(line -> {
      if (line.startsWith("event: ")) {
        events.add(line.substring(7));
      } else if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    });
    assertEquals("done", events.get(events.size() - 1), events.toString());
    assertTrue(events.contains("preview"), events.toString());
    assertTrue(events.contains("progress"), events.toString());
    JsonNode done = new ServeClient.Reply(200, data.get(data.size() - 1).getBytes(), "").json();
    assertSameImages(Generate.images(plain, 2, null, ddim(plain, 6, 11), null), 2, plain, images(done));
    JsonNode status = client.get("/api/jobs/" + id).json();
    assertEquals("done", status.path("state").asText());
    assertEquals(12, status.path("done").asLong());
    ServeClient.Reply result = client.get("/api/jobs/" + id + "/result?format=png");
    assertEquals(200, result.status());
    assertEquals("image/png", result.type());
  }

  @Test
  void editingJobsStreamPreviewsToo() {
    String img = ServeClient.base64Png(new Images(Generate.images(plain, 1, null, ddim(plain, 5, 1), null), 1, 1, 28,
        28).image(0));
    BufferedImage mask = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    mask.getRaster().setSample(3, 3, 0, 255);
    String[][] jobs = {
        {"inpaint", "{\"image\": \"" + img + "\", \"mask\": \"" + ServeClient.base64Png(mask) + "\", \"n\": 2,"
            + " \"steps\": 4, \"jump\": 2, \"resample\": 2}"},
        {"img2img", "{\"image\": \"" + img + "\", \"strength\": 1, \"n\": 2, \"steps\": 4, \"seed\": 4}"},
        {"interpolate", "{\"a\": \"" + img + "\", \"b\": \"" + img + "\", \"frames\": 2, \"steps\": 4}"},
    };
    for (String[] job : jobs) {
      ServeClient.Reply queued = client.post("/api/jobs/" + job[0] + "?preview=1", job[1]);
      assertEquals(202, queued.status(), queued.text());
      List<String> events = new ArrayList<>();
      List<String> data = new ArrayList<>();
      client.lines("/api/jobs/" + queued.json().path("id").asText() + "/events").forEach(line -> {
        if (line.startsWith("event: ")) {
          events.add(line.substring(7));
        } else if (line.startsWith("data: ")) {
          data.add(line.substring(6));
        }
      });
      assertEquals("done", events.get(events.size() - 1), job[0] + ": " + events);
      int preview = events.indexOf("preview");
      assertTrue(preview >= 0, job[0] + ": " + events);
      JsonNode p = new ServeClient.Reply(200, data.get(preview).getBytes(), "").json();
      BufferedImage grid = ServeClient.image(p.path("png").asText());
      assertTrue(grid.getWidth() > 28, job[0] + ": a grid of the batch's x0 estimates, " + grid.getWidth() + " wide");
    }
  }

  @Test
  void cancellingStopsAJobAndFreesItsPlace() {
    String body = "{\"n\": 16, \"sampler\": \"ddpm\", \"steps\": 400}";
    ServeClient.Reply queued = client.post("/api/jobs/generate", body);
    assertEquals(202, queued.status(), queued.text());
    String id = queued.json().path("id").asText();
    ServeClient.Reply cancel = client.delete("/api/jobs/" + id);
    assertEquals(200, cancel.status(), cancel.text());
    List<String> events = new ArrayList<>();
    client.lines("/api/jobs/" + id + "/events").filter(l -> l.startsWith("event: ")).forEach(events::add);
    assertEquals("event: cancelled", events.get(events.size() - 1));
    ServeClient.Reply result = client.get("/api/jobs/" + id + "/result");
    assertEquals(409, result.status());
    assertTrue(result.error().contains("cancelled"), result.error());
    assertEquals(409, client.delete("/api/jobs/" + id).status()); // finished already
    assertEquals("cancelled", client.get("/api/jobs/" + id).json().path("state").asText());
  }

  @Test
  void aFullQueueIsRefusedWith429() {
    String body = "{\"n\": 16, \"sampler\": \"ddpm\", \"steps\": 400}";
    List<String> ids = new ArrayList<>();
    ServeClient.Reply r;
    try {
      for (int i = 0; i < 4; i++) { // 2 workers + 2 places in the queue, then 429
        r = client.post("/api/jobs/generate", body);
        assertEquals(202, r.status(), r.text());
        ids.add(r.json().path("id").asText());
      }
      r = client.post("/api/generate", body);
      assertEquals(429, r.status(), r.text());
      assertTrue(r.error().contains("busy"), r.error());
      assertTrue(r.retryAfter() != null && Integer.parseInt(r.retryAfter()) >= 1, "Retry-After: " + r.retryAfter());
      assertTrue(r.error().contains("try again in " + r.retryAfter() + " s"), r.error());
    } finally {
      ids.forEach(id -> client.delete("/api/jobs/" + id));
    }
    for (String id : ids) { // each ends cancelled
      client.lines("/api/jobs/" + id + "/events").forEach(l -> { });
      assertEquals("cancelled", client.get("/api/jobs/" + id).json().path("state").asText());
    }
    assertEquals(200, client.post("/api/generate", "{\"steps\": 2}").status()); // served again
  }

  @Test
  void everyBadRequestIsAClear4xxJsonError() {
    String tiny = ServeClient.base64Png(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY));
    String[][] cases = {
        // status, method path, body, part of the message
        {"400", "/api/generate", "{\"n\": ", "not valid JSON"},
        {"400", "/api/generate", "[1, 2]", "JSON object"},
        {"400", "/api/generate", "{\"num\": 4}", "unknown field num"},
        {"400", "/api/generate", "{\"n\": 0}", "n must be between 1 and 16"},
        {"400", "/api/generate", "{\"n\": 17}", "n must be between 1 and 16"},
        {"400", "/api/generate", "{\"n\": \"four\"}", "n must be an integer"},
        {"400", "/api/generate", "{\"steps\": 401}", "steps must be between 1 and 400"},
        {"400", "/api/generate", "{\"sampler\": \"ddpm\"}", "more than this server's limit of 400"},
        {"400", "/api/generate", "{\"sampler\": \"plms2\"}", "plms2"},
        {"400", "/api/generate", "{\"sampler\": \"ddpm\", \"steps\": 10, \"eta\": 0.5}", "does not use eta"},
        {"400", "/api/generate", "{\"eta\": 1e999}", "finite number"},
        {"400", "/api/generate", "{\"sampler\": \"lcm\", \"spacing\": \"leading\"}", "timesteps are its own"},
        {"400", "/api/generate", "{\"class\": \"Sneaker\"}", "class-conditional"},
        {"400", "/api/generate", "{\"model\": \"fashion-mnist-cond\", \"guidance\": 3}", "give a class"},
        {"400", "/api/generate", "{\"model\": \"fashion-mnist-cond\", \"class\": \"Cat\"}", "unknown class 'Cat'"},
        {"400", "/api/generate", "{\"model\": \"fashion-mnist-cond\", \"class\": 7, \"guidance\": -1}", "guidance"},
        {"400", "/api/generate", "{\"seed\": 1.5}", "seed must be a 64-bit integer"},
        {"400", "/api/generate?format=gif", "{}", "format must be png or json"},
        {"400", "/api/generate?preview=x", "{}", "preview"},
        {"400", "/api/img2img", "{}", "image is required"},
        {"400", "/api/img2img", "{\"image\": \"%%%\"}", "not valid base64"},
        {"400", "/api/img2img", "{\"image\": \"aGVsbG8=\"}", "cannot decode the image"},
        {"400", "/api/img2img", "{\"image\": \"" + tiny + "\", \"strength\": 0}", "strength must be in (0, 1]"},
        {"400", "/api/img2img", "{\"image\": \"" + ServeClient.base64Png(new BufferedImage(65, 64,
            BufferedImage.TYPE_BYTE_GRAY)) + "\"}", "too large"},
        {"400", "/api/inpaint", "{\"image\": \"" + tiny + "\", \"mask\": \"" + ServeClient.base64Png(new BufferedImage(8, 9,
            BufferedImage.TYPE_BYTE_GRAY)) + "\"}", "must have its image's size"},
        {"400", "/api/inpaint", "{\"image\": \"" + tiny + "\", \"mask\": \"" + tiny + "\", \"resample\": 101}", "resample"},
        {"400", "/api/interpolate", "{\"a\": \"" + tiny + "\", \"b\": \"" + tiny + "\", \"frames\": 1}", "frames"},
        {"400", "/api/interpolate", "{\"a\": \"" + tiny + "\", \"b\": \"" + tiny + "\", \"guidance\": 2}", "unknown field"},
        {"404", "/api/generate", "{\"model\": \"/etc/passwd\"}", "unknown model '/etc/passwd'"},
        {"404", "/api/generate", "{\"model\": \"../runs/quickstart\"}", "unknown model"},
        {"404", "/api/paint", "{}", "no such endpoint"},
        {"404", "/api/jobs/paint", "{}", "unknown operation 'paint'"},
        {"413", "/api/generate", "{\"x\": \"" + "a".repeat(70 << 10) + "\"}", "limit of 65536"},
    };
    for (String[] c : cases) {
      ServeClient.Reply r = client.post(c[1], c[2]);
      assertEquals(Integer.parseInt(c[0]), r.status(), c[1] + " " + c[2] + ": " + r.text());
      assertTrue(r.type().startsWith("application/json"), r.type());
      assertTrue(r.error().contains(c[3]), c[1] + " " + c[2] + ": '" + r.error() + "' lacks '" + c[3] + "'");
    }
    assertEquals(415, client.post("/api/generate", "{}", "image/png").status());
    assertEquals(405, client.get("/api/generate").status());
    assertEquals(405, client.post("/api/health", "{}").status());
    assertEquals(404, client.get("/api/jobs/no-such-job").status());
    assertEquals(404, client.get("/api/jobs/no-such-job/events").status());
    assertEquals(404, client.get("/../etc/passwd").status());
    assertEquals(404, client.get("/index.html/../../pom.xml").status());
    // and the server still serves good requests as before
    ServeClient.Reply ok = client.post("/api/generate", "{\"n\": 1, \"steps\": 4, \"seed\": 2}");
    assertEquals(200, ok.status(), ok.text());
    assertSameImages(Generate.images(plain, 1, null, ddim(plain, 4, 2), null), 1, plain, images(ok.json()));
  }

  @Test
  void aRequestPastItsTimeoutIsCancelledWith503() {
    ServeConfig c = ServeConfig.defaults(0, List.of("fashion-mnist"), VERSION).withLimits(16, 1000, 64 * 64, 1 << 20, 1);
    try (Server s = Server.start(c)) {
      ServeClient.Reply r = new ServeClient(s.port()).post("/api/generate", "{\"n\": 16, \"sampler\": \"ddpm\"}");
      assertEquals(503, r.status(), r.text());
      assertTrue(r.error().contains("timed out after 1 s"), r.error());
    }
  }

  /** The tEXt chunks of a PNG. */
  private static java.util.Map<String, String> textChunks(byte[] png) throws Exception {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
    reader.setInput(ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(png)));
    IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
    NodeList entries = root.getElementsByTagName("tEXtEntry");
    for (int i = 0; i < entries.getLength(); i++) {
      IIOMetadataNode e = (IIOMetadataNode) entries.item(i);
      out.put(e.getAttribute("keyword"), e.getAttribute("value"));
    }
    return out;
  }

  @Test
  void aPageOnAnotherSiteCannotUseTheServer() {
    ServeClient.Reply r = client.postFrom("http://evil.example", "/api/generate", "{\"n\": 1, \"steps\": 2}");
    assertEquals(403, r.status(), r.text());
    assertTrue(r.text().contains("cross-origin requests are refused"), r.text());
    ServeClient.Reply same = client.postFrom("http://127.0.0.1:" + server.port(), "/api/generate",
        "{\"n\": 1, \"steps\": 2}");
    assertEquals(200, same.status(), same.text()); // the server's own page is that origin
  }
}
