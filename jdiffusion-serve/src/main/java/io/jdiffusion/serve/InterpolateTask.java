package io.jdiffusion.serve;

import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.InputImages;
import io.jdiffusion.pipeline.Interpolate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.util.Progress;
import java.util.Map;

/**
 * {@code POST /api/interpolate}: DDIM inversion of two images and the decoded slerp path between
 * them, as {@code jdiffusion interpolate}. Fields: model, a and b (image files as base64), frames
 * (default 8, at least 2), class, steps, spacing, clip, precision. The frames are deterministic: no seed.
 */
record InterpolateTask(ServedModel model, float[] a, float[] b, int frames, Requests.Condition condition,
    SampleOptions options, Map<String, Object> provenance) implements Task {

  static InterpolateTask parse(Fields f, ModelRegistry models, ServeConfig config) {
    ServedModel sm = Requests.model(f, models, "interpolate");
    TrainedModel m = sm.model();
    int frames = Requests.count(f, "frames", 8, 2, config);
    Requests.Condition c = Requests.condition(f, m, false);
    SampleOptions o = Requests.editOptions(f, m, Samplers.DDIM, null, "fixed_small", frames, config);
    Interpolate.checkDecoder(o);
    float[] a = InputImages.of(f.image("a", config.maxImagePixels()), m.config());
    float[] b = InputImages.of(f.image("b", config.maxImagePixels()), m.config());
    Map<String, Object> p = Requests.provenance("interpolate", sm, o, c, config);
    p.remove("guidance");
    p.put("seed", null);
    p.put("frames", frames);
    return new InterpolateTask(sm, a, b, frames, c, o, p);
  }

  @Override
  public String op() {
    return "interpolate";
  }

  @Override
  public long units() {
    return (long) (2 + frames) * options.steps();
  }

  @Override
  public Result run(Progress progress, Previews previews) {
    TrainedModel m = model.model();
    int[] label = condition.labels(m, 1);
    Interpolate.Result r = Interpolate.run(m, a, b, frames, label == null ? 0 : label[0], options, progress,
        previews.callback());
    int size = m.config().imageSize();
    Map<String, Object> p = new java.util.LinkedHashMap<>(provenance);
    p.put("reconstructionError", r.reconstructionError());
    return new Result(new Images(r.frames(), frames, m.config().inChannels(), size, size), p, false, frames);
  }
}
