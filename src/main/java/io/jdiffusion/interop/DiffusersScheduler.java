package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.schedule.BetaSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * diffusers' scheduler_config.json as jdiffusion's noise schedule, prediction and sampler defaults,
 * both ways. The scheduler class names the sampler a diffusers pipeline would run (DDPMScheduler:
 * ddpm, DDIMScheduler: ddim, DPMSolverMultistepScheduler with its defaults algorithm_type dpmsolver++
 * and solver_order 2: dpm++2m, EulerDiscreteScheduler: euler, EulerAncestralDiscreteScheduler:
 * euler-a, HeunDiscreteScheduler: heun); timestep_spacing defaults per class as in diffusers (leading
 * for DDPM and DDIM, linspace for the others), and so does clip_sample (true for DDPM and DDIM, false
 * for the others, of which only HeunDiscreteScheduler has the key). diffusers' Euler and Heun
 * schedulers space their sigmas by timestep unless use_karras_sigmas is true; jdiffusion's walk
 * Karras et al.'s sigmas, which a warning says. A setting jdiffusion's samplers would not reproduce is
 * refused by its key: thresholding, a clip range other than 1, steps_offset with "leading" spacing,
 * set_alpha_to_one false, rescale_betas_zero_snr, learned variances, trained_betas that are not a
 * linear schedule.
 *
 * @param schedule beta_schedule, beta_start, beta_end, num_train_timesteps
 * @param prediction prediction_type: epsilon, v_prediction or sample
 * @param spacing timestep_spacing
 * @param clip clip_sample
 * @param variance variance_type (DDPM)
 * @param sampler the sampler of the scheduler class ({@link Samplers#DDIM} for a class without one, with
 *     a warning)
 */
public record DiffusersScheduler(ScheduleConfig schedule, Prediction prediction, Timesteps spacing, boolean clip,
    Ddpm.Variance variance, Sampler sampler) {

  /** What a model folder without a scheduler config gets: DDPMScheduler's defaults. */
  public static DiffusersScheduler defaults() {
    return new DiffusersScheduler(ScheduleConfig.defaults(), Prediction.EPS, Timesteps.LEADING, true,
        Ddpm.Variance.FIXED_SMALL, Samplers.DDPM);
  }

  /**
   * Reads a scheduler config.
   *
   * @param file names it in errors
   * @param warn receives a line for a scheduler class without a jdiffusion sampler (its schedule is used, the
   *     sampler is ddim) and for Euler and Heun schedulers that do not use Karras sigmas
   */
  public static DiffusersScheduler read(JsonNode c, String file, Consumer<String> warn) {
    if (c == null || !c.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    ConfigReader r = new ConfigReader(c, file);
    String cls = r.text("_class_name", "DDPMScheduler");
    Sampler sampler = samplerOf(r, cls, file, warn);
    int steps = r.integer("num_train_timesteps", 1000);
    double start = r.number("beta_start", 1e-4);
    double end = r.number("beta_end", 0.02);
    String kind = r.text("beta_schedule", "linear");
    BetaSchedule betas = switch (kind) {
      case "linear" -> BetaSchedule.LINEAR;
      case "scaled_linear" -> BetaSchedule.QUADRATIC;
      case "squaredcos_cap_v2" -> BetaSchedule.COSINE;
      case "sigmoid" -> BetaSchedule.SIGMOID;
      default -> throw refuse(file, "beta_schedule", kind, "linear, scaled_linear, squaredcos_cap_v2 or sigmoid");
    };
    ScheduleConfig schedule;
    try {
      schedule = new ScheduleConfig(betas, steps, start, end);
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
    JsonNode trained = c.get("trained_betas");
    if (trained != null && !trained.isNull()) {
      schedule = fromTrainedBetas(trained, file);
    }
    String predictionType = r.text("prediction_type", "epsilon");
    Prediction prediction = switch (predictionType) {
      case "epsilon" -> Prediction.EPS;
      case "v_prediction" -> Prediction.V;
      case "sample" -> Prediction.X0;
      default -> throw refuse(file, "prediction_type", predictionType,
          "epsilon, v_prediction or sample");
    };
    boolean clipped = sampler == Samplers.DDPM || sampler == Samplers.DDIM;
    boolean clip = r.bool("clip_sample", clipped);
    if (clip && r.number("clip_sample_range", 1.0) != 1.0) {
      throw refuse(file, "clip_sample_range", c.get("clip_sample_range").asText(), "1.0 (clipping to [-1, 1])");
    }
    if (r.bool("thresholding", false)) {
      throw refuse(file, "thresholding", "true", "false (dynamic thresholding is not implemented)");
    }
    if (r.bool("rescale_betas_zero_snr", false)) {
      throw refuse(file, "rescale_betas_zero_snr", "true", "false");
    }
    String spacingName = r.text("timestep_spacing", clipped ? "leading" : "linspace");
    Timesteps spacing;
    try {
      spacing = Timesteps.parse(spacingName);
    } catch (IllegalArgumentException e) {
      throw refuse(file, "timestep_spacing", spacingName, "leading, trailing or linspace");
    }
    int offset = r.integer("steps_offset", 0);
    if (offset != 0 && spacing == Timesteps.LEADING) {
      throw refuse(file, "steps_offset", String.valueOf(offset), "0 with leading spacing (jdiffusion's leading "
          + "timesteps start at 0)");
    }
    if (sampler == Samplers.DDIM && !r.bool("set_alpha_to_one", true)) {
      throw refuse(file, "set_alpha_to_one", "false", "true (the last DDIM step lands on alphaBar = 1)");
    }
    String v = r.text("variance_type", "fixed_small");
    Ddpm.Variance variance = switch (v) {
      case "fixed_small" -> Ddpm.Variance.FIXED_SMALL;
      case "fixed_large" -> Ddpm.Variance.FIXED_LARGE;
      default -> throw refuse(file, "variance_type", v, "fixed_small or fixed_large");
    };
    return new DiffusersScheduler(schedule, prediction, spacing, clip, variance, sampler);
  }

  /**
   * The sampler of a scheduler class. DPMSolverMultistepScheduler is dpm++2m only with algorithm_type
   * dpmsolver++ and solver_order 2 (its defaults); other variants are refused by key.
   */
  private static Sampler samplerOf(ConfigReader r, String cls, String file, Consumer<String> warn) {
    Sampler s = switch (cls) {
      case "DDPMScheduler" -> Samplers.DDPM;
      case "DDIMScheduler" -> Samplers.DDIM;
      case "DPMSolverMultistepScheduler" -> Samplers.DPMPP_2M;
      case "EulerDiscreteScheduler" -> Samplers.EULER;
      case "EulerAncestralDiscreteScheduler" -> Samplers.EULER_A;
      case "HeunDiscreteScheduler" -> Samplers.HEUN;
      default -> null;
    };
    if (s == null) {
      warn.accept("warning: " + file + ": " + cls + " is read for its noise schedule; sample defaults to ddim (choose"
          + " with --sampler)");
      return Samplers.DDIM;
    }
    if (s == Samplers.DPMPP_2M) {
      String algorithm = r.text("algorithm_type", "dpmsolver++");
      if (!algorithm.equals("dpmsolver++")) {
        throw refuse(file, "algorithm_type", algorithm, "dpmsolver++ (DPM-Solver++(2M))");
      }
      int order = r.integer("solver_order", 2);
      if (order != 2) {
        throw refuse(file, "solver_order", String.valueOf(order), "2 (DPM-Solver++(2M))");
      }
    }
    if (s.grid() == Sampler.Grid.KARRAS_SIGMAS && !r.bool("use_karras_sigmas", false)) {
      warn.accept("warning: " + file + ": " + cls + " spaces its sigmas by timestep (use_karras_sigmas false);"
          + " jdiffusion's " + s.name() + " walks Karras sigmas, so the same seed gives other images");
    }
    return s;
  }

  /** Explicit betas are taken when they are a linear schedule (to 1e-9 relative); others are refused. */
  private static ScheduleConfig fromTrainedBetas(JsonNode trained, String file) {
    if (!trained.isArray() || trained.size() < 2) {
      throw new StoreException(file + ": trained_betas must be a list of at least 2 numbers");
    }
    int n = trained.size();
    double first = trained.get(0).asDouble();
    double last = trained.get(n - 1).asDouble();
    ScheduleConfig linear;
    try {
      linear = ScheduleConfig.linear(n, first, last);
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": trained_betas: " + e.getMessage());
    }
    double[] expect = BetaSchedule.LINEAR.betas(n, first, last);
    for (int i = 0; i < n; i++) {
      if (Math.abs(trained.get(i).asDouble() - expect[i]) > 1e-6 * Math.abs(expect[i])) { // float32 files round at 6e-8
        throw refuse(file, "trained_betas", "(" + n + " explicit values)", "explicit betas only when they are linear");
      }
    }
    return linear;
  }

  private static StoreException refuse(String file, String key, String value, String allowed) {
    return new StoreException(file + ": " + key + " " + value + " is not supported (jdiffusion reproduces " + allowed
        + ")");
  }

  /**
   * The scheduler_config.json of a jdiffusion model: a DDIMScheduler whose loop reproduces jdiffusion's
   * DDIM (with {@code use_clipped_model_output=True} in {@code step}).
   */
  public static ObjectNode write(ScheduleConfig s, Prediction p) {
    ObjectNode c = Json.mapper().createObjectNode();
    c.put("_class_name", "DDIMScheduler");
    c.put("_diffusers_version", "0.31.0");
    c.put("beta_end", s.betaEnd());
    c.put("beta_schedule", switch (s.betaSchedule()) {
      case LINEAR -> "linear";
      case QUADRATIC -> "scaled_linear";
      case COSINE -> "squaredcos_cap_v2";
      case SIGMOID -> "sigmoid";
    });
    c.put("beta_start", s.betaStart());
    c.put("clip_sample", true);
    c.put("clip_sample_range", 1.0);
    c.put("num_train_timesteps", s.steps());
    c.put("prediction_type", switch (p) {
      case EPS -> "epsilon";
      case V -> "v_prediction";
      case X0 -> "sample";
    });
    c.put("set_alpha_to_one", true);
    c.put("steps_offset", 0);
    c.put("thresholding", false);
    c.put("timestep_spacing", Timesteps.LEADING.name().toLowerCase(Locale.ROOT));
    c.putNull("trained_betas");
    return c;
  }
}
