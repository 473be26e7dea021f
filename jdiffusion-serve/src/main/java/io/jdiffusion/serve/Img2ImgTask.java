package io.jdiffusion.serve;

import io.jdiffusion.pipeline.ImageToImage;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.util.Map;

/**
 * {@code POST /api/img2img}: SDEdit, as {@code jdiffusion img2img}. Fields: model, image (an image
 * file as base64), strength (default 0.6, in (0, 1]), n (default 4), eta (0), steps, spacing, clip,
 * precision, seed, class, guidance.
 */
record Img2ImgTask(ServedModel model, float[] image, double strength, int n, SampleOptions options,
    Requests.Condition condition, Map<String, Object> provenance) implements Task {

  static Img2ImgTask parse(Fields f, ModelRegistry models, ServeConfig config) {
    ServedModel sm = Requests.model(f, models, "img2img");
    TrainedModel m = sm.model();
    int n = Requests.count(f, "n", 4, 1, config);
    Double s = f.number("strength");
    double strength = s == null ? 0.6 : s;
    if (!(strength > 0 && strength <= 1)) {
      throw ApiError.badRequest("strength must be in (0, 1], got " + strength);
    }
    Double eta = f.number("eta");
    SampleOptions o = Requests.editOptions(f, m, Samplers.DDIM, eta, "fixed_small", n, config);
    Requests.Condition c = Requests.condition(f, m, true);
    float[] image = InputImages.of(f.image("image", config.maxImagePixels()), m.config());
    Map<String, Object> p = Requests.provenance("img2img", sm, o, c, config);
    p.put("strength", strength);
    return new Img2ImgTask(sm, image, strength, n, o, c, p);
  }

  @Override
  public String op() {
    return "img2img";
  }

  @Override
  public long units() {
    return (long) n * ImageToImage.steps(model.model(), options, strength);
  }

  @Override
  public Result run(Progress progress, Previews previews) {
    TrainedModel m = model.model();
    float[] edited = ImageToImage.run(m, image, strength, n, condition.labels(m, n), condition.guidance(), options,
        progress, previews.callback());
    int size = m.config().imageSize();
    return new Result(new Images(edited, n, m.config().inChannels(), size, size), provenance, true, n);
  }
}
