package io.jdiffusion.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.PromptOptions;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.StableDiffusion;
import io.jdiffusion.pipeline.TextToImage;
import io.jdiffusion.sampling.Samplers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A text-to-image pipeline folder served over HTTP (diffusers' tiny SD 1.x-like fixture, whose
 * pipeline output jdiffusion's own TextToImageParityTest holds equal to diffusers'): the images of a
 * prompt equal the library's for the same settings, provenance records the prompt, previews come
 * through the fast decoder given at start, and what cannot be done is refused with one clear 400.
 */
class ServeTextToImageTest {
  private static final Path T2I = TestTorch.repoRoot().resolve("jdiffusion-core/src/test/resources/io/jdiffusion/t2i");
  private static Server server;
  private static Server withoutPreviews;
  private static ServeClient client;

  @BeforeAll
  static void start() {
    TestTorch.init();
    server = Server.start(ServeConfig.defaults(0, List.of(T2I.resolve("pipelines/sd1").toString(), "fashion-mnist"),
        "jdiffusion test").withPreviewDecoder(T2I.resolve("vae/tiny").toString()));
    withoutPreviews = Server.start(ServeConfig.defaults(0, List.of(T2I.resolve("pipelines/sd1").toString()),
        "jdiffusion test"));
    client = new ServeClient(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    withoutPreviews.close();
  }

  @Test
  void aPromptGivesTheLibrarysImagesWithTheirProvenance() {
    ServeClient.Reply r = client.post("/api/generate", "{\"prompt\": \"a castle on a hill\", \"negative_prompt\":"
        + " \"fog\", \"guidance\": 6, \"width\": 32, \"height\": 40, \"n\": 2, \"steps\": 3, \"seed\": 5,"
        + " \"sampler\": \"ddim\"}");
    assertEquals(200, r.status(), r.text());
    JsonNode json = r.json();
    assertEquals("a castle on a hill", json.path("provenance").path("prompt").asText());
    assertEquals("fog", json.path("provenance").path("negative_prompt").asText());
    assertEquals(32, json.path("width").asInt());
    assertEquals(40, json.path("height").asInt());
    try (StableDiffusion sd = StableDiffusion.load(T2I.resolve("pipelines/sd1"), null, w -> { })) {
      SampleOptions o = TextToImage.defaults(sd, Samplers.DDIM).toBuilder().steps(3).seed(5).batch(1).build();
      Images expected = TextToImage.generate(sd, 2, new PromptOptions("a castle on a hill", "fog", 6, 32, 40, 0, 0), o,
          null, w -> { });
      for (int i = 0; i < 2; i++) {
        JsonNode img = json.path("images").get(i);
        assertEquals(5 + i, img.path("seed").asLong());
        byte[] png = java.util.Base64.getDecoder().decode(img.path("png").asText());
        assertArrayEquals(ServeClient.pixels(expected.image(i)), ServeClient.pixels(ServeClient.decode(png)), "image " + i);
        String text = new String(png, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("\"a castle on a hill\" (negative: \"fog\"), 32x40, guidance 6.0; generate with ddim"),
            "PNG description");
      }
    }
    JsonNode models = client.get("/api/models").json().path("models");
    assertEquals("text-to-image", models.get(0).path("kind").asText());
    assertTrue(models.get(0).path("previews").asBoolean());
    assertEquals("pixel", models.get(1).path("kind").asText());
  }

  @Test
  void previewsComeThroughTheFastDecoder() {
    ServeClient.Reply queued = client.post("/api/jobs/generate?preview=1", "{\"prompt\": \"a red car\", \"steps\": 3,"
        + " \"width\": 32, \"height\": 32, \"sampler\": \"ddim\"}");
    assertEquals(202, queued.status(), queued.text());
    List<String> events = new ArrayList<>();
    client.lines("/api/jobs/" + queued.json().path("id").asText() + "/events").forEach(line -> {
      if (line.startsWith("event: ")) {
        events.add(line.substring(7));
      }
    });
    assertEquals("done", events.get(events.size() - 1), events.toString());
    assertEquals(3, events.stream().filter("preview"::equals).count(), events.toString());
  }

  @Test
  void whatCannotBeDoneIsOneClearRefusal() {
    ServeClient other = new ServeClient(withoutPreviews.port());
    ServeClient.Reply r = other.post("/api/jobs/generate?preview=2", "{\"prompt\": \"x\", \"steps\": 3}");
    assertEquals(400, r.status());
    assertTrue(r.text().contains("--preview-decoder"), r.text());
    for (String[] c : new String[][] {
        {"{\"prompt\": \"x\", \"width\": 30}", "multiples of 4"},
        {"{\"prompt\": \"x\", \"width\": 8192, \"height\": 8192}", "pixels per image"},
        {"{\"prompt\": 3}", "prompt must be a string"},
        {"{\"prompt\": \"x\", \"class\": 1}", "unknown field class"},
        {"{\"prompt\": \"x\", \"sampler\": \"plms\", \"eta\": 0.5}", "eta does not apply"}}) {
      ServeClient.Reply bad = client.post("/api/generate", c[0]);
      assertEquals(400, bad.status(), c[0] + ": " + bad.text());
      assertTrue(bad.text().contains(c[1]), c[0] + ": " + bad.text());
    }
    ServeClient.Reply img2img = client.post("/api/img2img", "{\"image\": \"AAAA\"}");
    assertEquals(400, img2img.status());
    assertTrue(img2img.text().contains("text-to-image pipeline"), img2img.text());
    assertFalse(client.post("/api/generate", "{\"model\": \"fashion-mnist\", \"n\": 1, \"steps\": 2}").text()
        .contains("error"));
  }
}
