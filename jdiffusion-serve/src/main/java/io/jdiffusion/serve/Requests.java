package io.jdiffusion.serve;

import io.jdiffusion.nn.Precision;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a request body into a {@link Task}, with the command line's defaults and checks in the
 * API's words: the same fields as the options of {@code sample}, {@code inpaint}, {@code img2img}
 * and {@code interpolate} (without dashes), so that a request and a command with the same values
 * give the same images.
 */
final class Requests {
  /** The operations, as in {@code POST /api/OP}. */
  static final java.util.List<String> OPS = java.util.List.of("generate", "inpaint", "img2img", "interpolate");

  private Requests() {}

  /**
   * Parses and checks a request for {@code op}.
   *
   * @throws ApiError 400 for anything invalid, 404 for an unknown model or operation
   */
  static Task parse(String op, byte[] body, ModelRegistry models, ServeConfig config) {
    Fields f = Fields.parse(body);
    try {
      Task t = switch (op) {
        case "generate" -> GenerateTask.parse(f, models, config);
        case "inpaint" -> InpaintTask.parse(f, models, config);
        case "img2img" -> Img2ImgTask.parse(f, models, config);
        case "interpolate" -> InterpolateTask.parse(f, models, config);
        default -> throw ApiError.notFound("unknown operation '" + op + "' (operations: " + String.join(", ", OPS) + ")");
      };
      f.finish();
      return t;
    } catch (IllegalArgumentException e) { // the library's checks: their messages name the value
      throw ApiError.badRequest(e.getMessage());
    }
  }

  /** The requested model ("model", default the first served), whatever its kind. */
  static ServedModel anyModel(Fields f, ModelRegistry models) {
    return models.get(f.text("model"));
  }

  /**
   * The requested pixel-space model for {@code op}.
   *
   * @throws ApiError 400 when it is a text-to-image pipeline (only generate takes those, with a prompt)
   */
  static ServedModel model(Fields f, ModelRegistry models, String op) {
    ServedModel m = anyModel(f, models);
    if (m.takesPrompt()) {
      throw ApiError.badRequest("model '" + m.name() + "' is a text-to-image pipeline: the server runs it for"
          + " generate with a prompt; " + op + " with a prompt runs from the command line (jdiffusion " + op
          + " FOLDER --prompt ...)");
    }
    return m;
  }

  /** The class and guidance of a request ("class", "guidance"), checked as the command line checks them. */
  record Condition(Integer classIndex, double guidance) {
    /** The labels of n images (null for an unconditional model; "no label" without a class). */
    int[] labels(TrainedModel m, int n) {
      return Conditioning.labels(m, classIndex, n);
    }

    /** The class as provenance: its name when the model stores names, else its index; null for none. */
    Object describe(TrainedModel m) {
      if (classIndex == null) {
        return null;
      }
      return m.classNames().isEmpty() ? (Object) classIndex : m.classNames().get(classIndex);
    }
  }

  static Condition condition(Fields f, TrainedModel m, boolean guided) {
    String spec = f.textOrInteger("class");
    Double w = guided ? f.number("guidance") : null;
    double guidance = w != null ? w : spec != null ? m.guidance() : 1; // the model's own weight for a class
    boolean conditional = m.config().numClasses() > 0;
    if (guidance < 0) {
      throw ApiError.badRequest("guidance must be a finite weight >= 0, got " + guidance);
    }
    if (!conditional && (guidance != 1 || spec != null)) {
      throw ApiError.badRequest((spec != null ? "class" : "guidance") + " needs a class-conditional model; this one is"
          + " unconditional");
    }
    if (conditional && guidance != 1 && spec == null) {
      throw ApiError.badRequest("guidance steers towards a class: give a class too");
    }
    return new Condition(spec == null ? null : Conditioning.classIndex(m, spec), guidance);
  }

  /** "n": images to draw, 1 to the server's limit. */
  static int count(Fields f, String name, int fallback, int min, ServeConfig config) {
    return f.integer(name, fallback, min, config.maxImages());
  }

  /**
   * The sampler options of {@code generate}, resolved as {@code sample}'s flags: "sampler" (default:
   * the model's own, {@link TrainedModel#sampling}), "steps", "eta", "spacing", "variance", "clip",
   * "precision", "seed".
   */
  static SampleOptions samplerOptions(Fields f, TrainedModel m, int n, ServeConfig config) {
    SampleOptions.Builder b = SampleOptions.forModel(m, f.text("sampler"), f.integer("steps", 1, config.maxSteps()),
        f.number("eta"), f.text("spacing"), f.text("variance"), "");
    SampleOptions base = b.build(); // the defaults and the given values, before clip: its default is the base's
    b.clip(f.bool("clip", base.clip())).precision(Precision.parse(orElse(f.text("precision"), "fp32")))
        .seed(f.longInteger("seed", 0)).batch(batch(n));
    return checked(b.build(), m, config);
  }

  /**
   * The DDPM or DDIM options of the editing operations, resolved as their shared command-line options:
   * "steps" (default min(50, T)), "spacing" (default leading), "clip", "precision", "seed".
   */
  static SampleOptions editOptions(Fields f, TrainedModel m, Sampler sampler, Double eta, String variance, int n,
      ServeConfig config) {
    String named = f.text("sampler");
    Sampler s = named == null ? sampler : Samplers.byName(named);
    Integer steps = f.integer("steps", 1, config.maxSteps());
    SampleOptions.Builder b = SampleOptions.builder(s).steps(steps != null ? steps : Math.min(50, m.schedule().steps()))
        .variance(Ddpm.Variance.parse(variance)).clip(f.bool("clip", true)).seed(f.longInteger("seed", 0))
        .batch(batch(n)).precision(Precision.parse(orElse(f.text("precision"), "fp32")));
    String spacing = f.text("spacing");
    if (spacing != null) {
      if (!s.usesSpacing()) {
        throw new IllegalArgumentException("spacing does not apply to " + s.name() + ", whose timesteps are its own");
      }
      b.spacing(Timesteps.parse(spacing));
    }
    if (eta != null) {
      b.eta(eta);
    }
    return checked(b.build(), m, config);
  }

  /**
   * The provenance every result carries: operation, model, sampler, steps, eta (samplers that use
   * it), guidance, class, seed, spacing, precision and the tool version.
   */
  static Map<String, Object> provenance(String op, ServedModel model, SampleOptions o, Condition c, ServeConfig config) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("op", op);
    p.put("model", model.name());
    p.put("model_sha256", model.sha256());
    p.put("sampler", o.sampler().name());
    p.put("steps", o.steps());
    p.put("eta", o.sampler().usesEta() ? o.eta() : null);
    p.put("guidance", c == null ? null : c.guidance());
    p.put("class", c == null ? null : c.describe(model.model()));
    p.put("seed", o.seed());
    p.put("spacing", o.sampler().usesSpacing() ? o.spacing().name().toLowerCase(Locale.ROOT) : null);
    p.put("precision", o.precision().name().toLowerCase(Locale.ROOT));
    p.put("version", config.version());
    return p;
  }

  /** Images per forward pass: all of them up to the command line's default batch (it does not change the images). */
  private static int batch(int n) {
    return Math.min(n, SampleOptions.DEFAULT_BATCH);
  }

  private static SampleOptions checked(SampleOptions o, TrainedModel m, ServeConfig config) {
    if (o.steps() > config.maxSteps()) {
      throw ApiError.badRequest(o.sampler().name() + " would take " + o.steps() + " steps, more than this server's limit"
          + " of " + config.maxSteps() + "; give fewer steps");
    }
    o.checkAgainst(m.schedule());
    return o;
  }

  private static String orElse(String s, String fallback) {
    return s == null ? fallback : s;
  }
}
