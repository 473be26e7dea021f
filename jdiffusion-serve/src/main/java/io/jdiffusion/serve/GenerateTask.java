package io.jdiffusion.serve;

import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.util.Progress;
import java.util.Map;

/**
 * {@code POST /api/generate}: n images, as {@code jdiffusion sample} draws them (image i from seed + i).
 * Fields: model, n (default 1), sampler, steps, eta, spacing, variance, clip, precision, seed, class,
 * guidance, preview (x0 previews every this many steps in the progress stream; 0 = none).
 */
record GenerateTask(ServedModel model, int n, SampleOptions options, Requests.Condition condition,
    Map<String, Object> provenance) implements Task {

  /** A generate request: {@link TextGenerateTask} for a text-to-image pipeline, else this. */
  static Task parse(Fields f, ModelRegistry models, ServeConfig config) {
    ServedModel sm = Requests.anyModel(f, models);
    if (sm.takesPrompt()) {
      return TextGenerateTask.parse(f, sm, config);
    }
    TrainedModel m = sm.model();
    int n = Requests.count(f, "n", 1, 1, config);
    SampleOptions o = Requests.samplerOptions(f, m, n, config);
    Requests.Condition c = Requests.condition(f, m, true);
    return new GenerateTask(sm, n, o, c, Requests.provenance("generate", sm, o, c, config));
  }

  @Override
  public String op() {
    return "generate";
  }

  @Override
  public long units() {
    return (long) n * options.steps();
  }

  @Override
  public Result run(Progress progress, Previews previews) {
    TrainedModel m = model.model();
    int[] labels = condition.classIndex() == null ? null : condition.labels(m, n);
    float[] pixels = Generate.images(m, n, labels, condition.guidance(), options, progress, previews.callback());
    int size = m.config().imageSize();
    return new Result(new Images(pixels, n, m.config().inChannels(), size, size), provenance, true,
        (int) Math.ceil(Math.sqrt(n)));
  }
}
