package io.jdiffusion.serve;

import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.Inpaint;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.RePaint;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * {@code POST /api/inpaint}: fills the light region of a mask with RePaint, as {@code jdiffusion
 * inpaint} does. Fields: model, image and mask (image files as base64, the same width and height;
 * white = fill), n (default 4), jump (10), resample (10), variance, steps, spacing, clip, precision,
 * seed, class, guidance.
 */
record InpaintTask(ServedModel model, float[] image, float[] fill, int n, int jump, int resample,
    SampleOptions options, Requests.Condition condition, Map<String, Object> provenance) implements Task {
  /** The most RePaint resamplings per jump a request may ask for. */
  static final int MAX_RESAMPLE = 100;

  static InpaintTask parse(Fields f, ModelRegistry models, ServeConfig config) {
    ServedModel sm = Requests.model(f, models, "inpaint");
    TrainedModel m = sm.model();
    int n = Requests.count(f, "n", 4, 1, config);
    int jump = f.integer("jump", 10, 1, config.maxSteps());
    int resample = f.integer("resample", 10, 1, MAX_RESAMPLE);
    String variance = f.text("variance");
    SampleOptions o = Requests.editOptions(f, m, Samplers.DDPM, f.number("eta"), variance == null ? "fixed_small" : variance,
        n, config);
    long evaluations = Inpaint.evaluations(o, jump, resample);
    if (evaluations > (long) config.maxSteps() * MAX_RESAMPLE) {
      throw ApiError.badRequest("RePaint with " + o.steps() + " steps, jump " + jump + " and " + resample
          + " resamplings takes " + evaluations + " network evaluations per image; this server allows "
          + (long) config.maxSteps() * MAX_RESAMPLE);
    }
    Requests.Condition c = Requests.condition(f, m, true);
    BufferedImage image = f.image("image", config.maxImagePixels());
    BufferedImage mask = f.image("mask", config.maxImagePixels());
    if (mask.getWidth() != image.getWidth() || mask.getHeight() != image.getHeight()) {
      throw ApiError.badRequest("the mask is " + mask.getWidth() + "x" + mask.getHeight() + " pixels, the image "
          + image.getWidth() + "x" + image.getHeight() + "; a mask must have its image's size");
    }
    Map<String, Object> p = Requests.provenance("inpaint", sm, o, c, config);
    if (Inpaint.repaint(o)) {
      p.put("jump", jump);
      p.put("resample", resample);
      p.put("variance", o.variance().name().toLowerCase(java.util.Locale.ROOT));
    }
    return new InpaintTask(sm, InputImages.of(image, m.config()), InputImages.mask(mask, m.config().imageSize()), n,
        jump, resample, o, c, p);
  }

  @Override
  public String op() {
    return "inpaint";
  }

  @Override
  public long units() {
    return (long) n * Inpaint.moves(model.model(), options, jump, resample);
  }

  @Override
  public Result run(Progress progress, Previews previews) {
    TrainedModel m = model.model();
    float[] filled = Inpaint.run(m, image, fill, n, jump, resample, condition.labels(m, n), condition.guidance(),
        options, progress, previews.callback());
    int size = m.config().imageSize();
    return new Result(new Images(filled, n, m.config().inChannels(), size, size), provenance, true, n);
  }
}
