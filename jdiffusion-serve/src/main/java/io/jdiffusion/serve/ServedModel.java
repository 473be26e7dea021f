package io.jdiffusion.serve;

import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model the server keeps loaded, under the name requests use for it. The network is shared by
 * every request: sampling only reads its weights, in inference mode.
 *
 * @param name what requests call it (a shipped model's name, or the file or folder name of a path)
 * @param model the loaded network, schedule and classes
 */
public record ServedModel(String name, TrainedModel model, String sha256) {
  /** A served model; {@code sha256} is its weights' digest ({@link io.jdiffusion.pipeline.Provenance#weightsDigest}). */
  public ServedModel(String name, TrainedModel model) {
    this(name, model, io.jdiffusion.pipeline.Provenance.weightsDigest(model));
  }

  /** What {@code GET /api/models} says about the model: its shape, classes and samplers with their defaults. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("imageSize", model.config().imageSize());
    m.put("channels", model.config().inChannels());
    m.put("conditional", model.config().numClasses() > 0);
    m.put("classes", model.classNames().isEmpty() && model.config().numClasses() > 0
        ? indices(model.config().numClasses()) : model.classNames());
    m.put("timesteps", model.schedule().steps());
    m.put("prediction", model.prediction().name().toLowerCase(Locale.ROOT));
    m.put("defaultSampler", model.sampling().sampler().name());
    List<Map<String, Object>> samplers = new ArrayList<>();
    for (Sampler s : Samplers.all()) {
      SampleOptions o = SampleOptions.defaultsFor(model, s);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("name", s.name());
      d.put("defaultSteps", o.steps());
      d.put("usesEta", s.usesEta());
      if (s.usesEta()) {
        d.put("defaultEta", o.eta());
      }
      samplers.add(d);
    }
    m.put("samplers", samplers);
    return m;
  }

  private static List<String> indices(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Integer.toString(i));
    }
    return out;
  }
}
