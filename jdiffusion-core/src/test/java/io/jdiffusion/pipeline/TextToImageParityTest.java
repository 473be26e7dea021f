package io.jdiffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.interop.DiffusersScheduler;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text-to-image equals diffusers' own StableDiffusionPipeline: tiny random pipelines saved by diffusers
 * and the calls recorded by scripts/t2i/pipeline_fixtures.py (src/test/resources/io/jdiffusion/t2i/pipelines).
 * The same prompts, seeds (diffusers' per-image generators), scheduler and steps must give the same
 * prompt embeddings and images: float32 within 1e-4 relative, 8-bit pixels within one grey level.
 */
class TextToImageParityTest {
  static final Path DIR = Path.of("src/test/resources/io/jdiffusion/t2i/pipelines");

  static JsonNode json(Path file) throws Exception {
    // the recorded sigmas may hold -Infinity (Python's json writes it)
    return Json.mapper().copy().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS
        .mappedFeature()).readTree(Files.readString(file));
  }

  /** The float tensors of a case (ids and PNG bytes are not float and are skipped). */
  static Safetensors.Contents tensors(String name) {
    return ForeignSafetensors.read(DIR.resolve("cases").resolve(name + ".safetensors"),
        k -> k.startsWith("text_encoder_ids") || k.startsWith("png_") || k.equals("image_uint8")
            || k.equals("init_image") || k.equals("mask_image"));
  }

  static List<String> strings(JsonNode v) {
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      v.forEach(x -> out.add(x.asText()));
    } else {
      out.add(v.asText());
    }
    return out;
  }

  /** The pipeline of a case: its folder, with the case's scheduler swapped in when it has one. */
  static StableDiffusion open(StableDiffusion sd, JsonNode c, List<String> warnings) throws Exception {
    if (!c.path("scheduler_swap").isNull()) {
      Path f = DIR.resolve(c.get("scheduler_swap").get("folder").asText()).resolve("scheduler_config.json");
      return sd.withScheduler(DiffusersScheduler.read(json(f), f.toString(), warnings::add));
    }
    return sd;
  }

  /** diffusers' image i (the first-listed generator's seed + i must be image i's seed). */
  static long firstSeed(JsonNode c, int n) {
    JsonNode s = c.get("generator_seeds");
    if (s.isArray()) {
      for (int i = 0; i < s.size(); i++) {
        assertEquals(s.get(0).asLong() + i, s.get(i).asLong(), "the fixture's seeds are consecutive");
      }
      assertEquals(n, s.size());
      return s.get(0).asLong();
    }
    assertEquals(1, n, "one generator for one image");
    return s.asLong();
  }

  /** Relative max difference of two arrays. */
  static double rel(float[] got, float[] want) {
    double m = 0;
    for (float w : want) {
      m = Math.max(m, Math.abs(w));
    }
    return TestTorch.maxAbsDiff(got, want) / Math.max(m, 1e-12);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd1_txt2img", "sd1_txt2img_empty", "sd1_txt2img_long", "sd2v_txt2img", "turbo_txt2img",
      "small_txt2img", "sd1_dpm_txt2img", "sd1_unipc_txt2img", "sd1_lms_txt2img"})
  void textToImageEqualsDiffusersPipeline(String name) throws Exception {
    TestTorch.init();
    JsonNode c = json(DIR.resolve("cases").resolve(name + ".json"));
    JsonNode a = c.get("args");
    Safetensors.Contents want = tensors(name);
    List<String> warnings = new ArrayList<>();
    StableDiffusion root = StableDiffusion.load(DIR.resolve(c.get("folder").asText()), null, warnings::add);
    try {
      StableDiffusion sd = open(root, c, warnings);
      List<String> prompts = strings(a.get("prompt"));
      List<String> negatives = strings(a.get("negative_prompt"));
      int perPrompt = a.path("num_images_per_prompt").asInt(1);
      PromptOptions shared = new PromptOptions("", null, a.path("guidance_scale").asDouble(7.5),
          a.path("width").asInt(0), a.path("height").asInt(0), a.path("clip_skip").asInt(0),
          a.path("guidance_rescale").asDouble(0));
      List<PromptOptions> each = new ArrayList<>();
      for (int p = 0; p < prompts.size(); p++) {
        for (int j = 0; j < perPrompt; j++) { // diffusers repeats each prompt's embeddings num_images_per_prompt times
          each.add(shared.withPrompt(prompts.get(p)).withNegative(negatives == null ? null : negatives.get(p)));
        }
      }
      int n = each.size();
      SampleOptions.Builder b = TextToImage.defaults(sd).toBuilder().steps(a.get("num_inference_steps").asInt())
          .seed(firstSeed(c, n));
      if (a.has("eta")) {
        b.eta(a.get("eta").asDouble());
      }
      List<String> notes = new ArrayList<>();
      Images got = TextToImage.generate(sd, each, b.build(), null, notes::add, StepCallback.NONE);

      // diffusers' truncation warnings, word for word
      List<String> warned = new ArrayList<>();
      c.get("truncation_warnings").forEach(w -> {
        if (!w.isNull()) {
          warned.add(w.asText());
        }
      });
      assertEquals(warned, notes.stream().distinct().map(x -> x.replaceFirst("^note: ", "")).toList());

      assertSameImages(name, got, want);
    } finally {
      root.close();
    }
  }

  /** Our images [n, 3, H, W] against diffusers' output_type="np" [n, H, W, 3]: 1e-4 relative, one grey level. */
  static void assertSameImages(String name, Images got, Safetensors.Contents want) {
    float[] image = want.tensors().get("image").values();
    int n = got.count();
    int h = got.height();
    int w = got.width();
    float[] nhwc = new float[got.pixels().length];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < 3; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            nhwc[((i * h + y) * w + x) * 3 + ch] = got.pixels()[((i * 3 + ch) * h + y) * w + x];
          }
        }
      }
    }
    double r = rel(nhwc, image);
    assertTrue(r < 1e-4, name + ": image differs from diffusers' by " + r + " (relative)");
    int worst = 0;
    for (int i = 0; i < image.length; i++) {
      int mine = Math.round(nhwc[i] * 255);
      int theirs = (int) Math.rint(image[i] * 255); // numpy rounds half to even
      worst = Math.max(worst, Math.abs(mine - theirs));
    }
    assertTrue(worst <= 1, name + ": 8-bit pixels differ by " + worst + " grey levels");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd1_img2img", "sd2v_img2img"})
  void imageToImageEqualsDiffusersPipeline(String name) throws Exception {
    TestTorch.init();
    JsonNode c = json(DIR.resolve("cases").resolve(name + ".json"));
    JsonNode a = c.get("args");
    Safetensors.Contents want = tensors(name);
    try (StableDiffusion sd = StableDiffusion.load(DIR.resolve(c.get("folder").asText()), null, m -> { })) {
      int perPrompt = a.path("num_images_per_prompt").asInt(1);
      String negative = a.hasNonNull("negative_prompt") ? a.get("negative_prompt").asText() : null;
      PromptOptions p = new PromptOptions(a.get("prompt").asText(), negative, a.path("guidance_scale").asDouble(7.5),
          0, 0, 0, 0);
      List<PromptOptions> each = java.util.Collections.nCopies(perPrompt, p);
      Safetensors.Entry guide = want.tensors().get("image_tensor"); // [1, 3, H, W] in [-1, 1]
      int h = (int) guide.shape()[2];
      int w = (int) guide.shape()[3];
      float[] guides = new float[perPrompt * guide.values().length];
      for (int i = 0; i < perPrompt; i++) { // diffusers repeats the image over the batch
        System.arraycopy(guide.values(), 0, guides, i * guide.values().length, guide.values().length);
      }
      SampleOptions.Builder b = TextToImage.defaults(sd).toBuilder().steps(a.get("num_inference_steps").asInt())
          .seed(firstSeed(c, perPrompt));
      if (a.has("eta")) {
        b.eta(a.get("eta").asDouble());
      }
      Images got = TextToImage.imageToImage(sd, guides, h, w, each, a.get("strength").asDouble(), b.build(), null,
          m -> { });
      assertSameImages(name, got, want);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"inpaint9", "inpaint9_strength", "sd1_inpaint4", "sd1_inpaint4_strength"})
  void inpaintingEqualsDiffusersPipeline(String name) throws Exception {
    TestTorch.init();
    JsonNode c = json(DIR.resolve("cases").resolve(name + ".json"));
    JsonNode a = c.get("args");
    Safetensors.Contents want = tensors(name);
    try (StableDiffusion sd = StableDiffusion.load(DIR.resolve(c.get("folder").asText()), null, m -> { })) {
      int perPrompt = a.path("num_images_per_prompt").asInt(1);
      String negative = a.hasNonNull("negative_prompt") ? a.get("negative_prompt").asText() : null;
      PromptOptions p = new PromptOptions(a.get("prompt").asText(), negative, a.path("guidance_scale").asDouble(7.5),
          0, 0, 0, 0);
      Safetensors.Entry image = want.tensors().get("image_tensor"); // [1, 3, H, W] in [-1, 1]
      Safetensors.Entry mask = want.tensors().get("mask_condition"); // [1, 1, H, W], binarized
      int h = (int) image.shape()[2];
      int w = (int) image.shape()[3];
      SampleOptions o = TextToImage.defaults(sd).toBuilder().steps(a.get("num_inference_steps").asInt())
          .seed(firstSeed(c, perPrompt)).build();
      Images got = TextInpaint.run(sd, image.values(), mask.values(), h, w, java.util.Collections.nCopies(perPrompt, p),
          a.path("strength").asDouble(1.0), o, null, m -> { });
      assertSameImages(name, got, want);
    }
  }

  @org.junit.jupiter.api.Test
  void theLibrarysFrontDoorTakesAPrompt() throws Exception {
    TestTorch.init();
    Safetensors.Contents want = tensors("sd1_txt2img");
    try (DiffusionPipeline p = DiffusionPipeline.load(DIR.resolve("sd1").toString())) {
      assertTrue(p.takesPrompt());
      Images images = p.generate(1, PromptOptions.of("a photo of an astronaut riding a horse on mars")
          .withNegative("blurry, low quality"), p.defaults().withSteps(4).withSeed(0));
      assertSameImages("DiffusionPipeline", images, want); // diffusers' sd1_txt2img call
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> p.generate(1, SampleOptions.ddim(2)));
    }
  }
}
