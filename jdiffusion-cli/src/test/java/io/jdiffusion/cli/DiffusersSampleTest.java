package io.jdiffusion.cli;

import static io.jdiffusion.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.image.ImageDecoder;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.DiffusionPipeline;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.sampling.UNetDenoiser;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A diffusers pipeline folder samples as its pipeline would: the fixture (DDPMPipeline with a
 * DDIMScheduler, written by diffusers' code) defaults to DDIM, 1000 steps (DDPMPipeline's
 * num_inference_steps), leading spacing, clipping, eta 0, and those defaults walk diffusers' own
 * scheduler loop.
 */
class DiffusersSampleTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  static Path fixture(String name) throws Exception {
    return Path.of(DiffusersSampleTest.class.getResource("/io/jdiffusion/diffusers/" + name).toURI());
  }

  @Test
  void aPipelineFolderCarriesItsSchedulersDefaults() throws Exception {
    TrainedModel m = TrainedModel.resolve(fixture("ddim").toString(), true);
    SampleOptions o = m.sampling();
    assertEquals(Samplers.DDIM, o.sampler());
    assertEquals(1000, o.steps());
    assertEquals(Timesteps.LEADING, o.spacing());
    assertTrue(o.clip());
    assertEquals(0.0, o.eta());
    // a model folder without model_index.json: the sampler's own default steps; jdiffusion's own models: DDIM's
    assertEquals(Samplers.DDPM, TrainedModel.resolve(fixture("ddpm").toString(), true).sampling().sampler());
    assertEquals(1000, TrainedModel.resolve(fixture("ddpm").toString(), true).sampling().steps());
    SampleOptions shipped = TrainedModel.resolve("fashion-mnist", true).sampling();
    assertEquals(Samplers.DDIM, shipped.sampler());
    assertEquals(50, shipped.steps());
  }

  @Test
  void theDefaultsWalkDiffusersOwnDdimLoop() throws Exception {
    TrainedModel m = TrainedModel.resolve(fixture("ddim").toString(), true);
    SampleOptions o = m.sampling().withSteps(10); // the fixture's run: set_timesteps(10)
    Safetensors.Contents run = ForeignSafetensors.read(fixture("ddim").resolve("ddim.safetensors"));
    float[] ts = run.tensors().get("timesteps").values();
    int[] expected = new int[ts.length];
    for (int i = 0; i < ts.length; i++) {
      expected[i] = (int) ts[i];
    }
    assertArrayEquals(expected, o.spacing().select(m.scheduleConfig().steps(), o.steps()));
    Safetensors.Entry xT = run.tensors().get("x_T");
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Tensor x = SamplingLoop.run(o.sampler(), new UNetDenoiser(m.net(), m.prediction(), null, o.precision()),
          m.schedule(), Torch.tensor(xT.values(), xT.shape()), o.steps(), o.spacing(), null, o.settings(),
          StepCallback.NONE);
      float[] a = Torch.toFloats(x);
      float[] b = run.tensors().get("x_0").values();
      double diff = 0;
      double scale = 0;
      for (int i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
      System.out.printf(Locale.ROOT, "diffusers DDIM-10 through the imported defaults: %.2e%n", diff / scale);
      assertTrue(diff / scale < 1e-4, "relative difference " + diff / scale);
    }
  }

  /** The second of --dry-run's two JSON documents: the sampler settings. */
  private static JsonNode settings(String out) throws Exception {
    List<JsonNode> docs = Json.mapper().readerFor(JsonNode.class).<JsonNode>readValues(out).readAll();
    assertEquals(2, docs.size(), out);
    return docs.get(1);
  }

  @Test
  void sampleWithNoSamplerOptionsUsesThePipelinesDefaults(@TempDir Path dir) throws Exception {
    String folder = fixture("ddim").toString();
    CliTest.Run dry = run("sample", folder, "--dry-run");
    assertEquals(ExitCode.OK, dry.code(), dry.err());
    JsonNode settings = settings(dry.out());
    assertEquals("ddim", settings.path("sampler").asText());
    assertEquals(1000, settings.path("steps").asInt());
    assertEquals("leading", settings.path("spacing").asText());
    assertTrue(settings.path("clip").asBoolean());
    // another sampler takes its own defaults; options given still win
    JsonNode dpm = settings(run("sample", folder, "--sampler", "dpm++2m", "--dry-run").out());
    assertEquals(List.of("dpm++2m", "50", "trailing"), List.of(dpm.path("sampler").asText(),
        dpm.path("steps").asText(), dpm.path("spacing").asText()));
    JsonNode given = settings(run("sample", folder, "--steps", "20", "--no-clip", "--dry-run").out());
    assertEquals(20, given.path("steps").asInt());
    assertTrue(!given.path("clip").asBoolean());

    // a run (10 steps: 1000 take minutes here); the rest of the defaults stay the model's, and the library's
    // pipeline with those defaults draws the same pixels
    Path each = dir.resolve("each");
    Path grid = dir.resolve("ten.png");
    CliTest.Run ten = run("sample", folder, "-n", "2", "--seed", "3", "--steps", "10", "-o", grid.toString(), "--each",
        each.toString(), "-q", "--json");
    assertEquals(ExitCode.OK, ten.code(), ten.err());
    JsonNode json = Json.mapper().readTree(ten.out().strip());
    assertEquals(List.of("ddim", "10", "leading", "true"), List.of(json.path("sampler").asText(),
        json.path("steps").asText(), json.path("spacing").asText(), json.path("clip").asText()));
    assertTrue(Files.isRegularFile(grid));
    // the library's pipeline with the model's defaults draws the same pixels
    try (DiffusionPipeline p = DiffusionPipeline.load(fixture("ddim"))) {
      List<BufferedImage> expected = p.generate(2, p.defaults().withSteps(10).withSeed(3)).toBufferedImages();
      for (int i = 0; i < 2; i++) {
        BufferedImage got = ImageDecoder.read(each.resolve("seed-" + (3 + i) + ".png"));
        assertEquals(expected.get(i).getWidth(), got.getWidth());
        for (int y = 0; y < got.getHeight(); y++) {
          for (int x = 0; x < got.getWidth(); x++) {
            assertEquals(expected.get(i).getRGB(x, y), got.getRGB(x, y), "image " + i + " pixel " + x + "," + y);
          }
        }
      }
    }
  }

  @Test
  void aClassConditionalModelWithoutANullClassNeedsAClassAndNoGuidance() throws Exception {
    String classes = fixture("classes").toString(); // diffusers' num_class_embeds 5: no "no label" row
    refused(CliTest.run("sample", classes, "-n", "1", "--steps", "2", "-q"),
        "error: this class-conditional model has no unconditional label");
    refused(CliTest.run("sample", classes, "-n", "1", "--steps", "2", "--class", "1", "--guidance", "2", "-q"),
        "error: classifier-free guidance needs the model's unconditional branch");
  }

  /** Exit 2 with one error line (the folder's own warning about its missing scheduler config may precede it). */
  private static void refused(CliTest.Run r, String line) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
    assertTrue(r.err().contains(line), r.err());
  }
}
