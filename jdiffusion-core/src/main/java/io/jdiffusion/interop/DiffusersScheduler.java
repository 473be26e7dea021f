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
import io.jdiffusion.model.SamplingDefaults;
import io.jdiffusion.sampling.DpmSolverMultistep;
import io.jdiffusion.sampling.Euler;
import io.jdiffusion.sampling.EulerAncestral;
import io.jdiffusion.sampling.Heun;
import io.jdiffusion.sampling.Lms;
import io.jdiffusion.sampling.Pndm;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Lcm;
import io.jdiffusion.sampling.UniPc;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * diffusers' scheduler_config.json as jdiffusion's noise schedule, prediction and sampler, both ways.
 * The scheduler class names the sampler a diffusers pipeline would run, with the variant its keys
 * choose: DDPMScheduler (ddpm), DDIMScheduler (ddim), PNDMScheduler (pndm, PLMS), LMSDiscreteScheduler
 * (lms), EulerDiscreteScheduler (euler), EulerAncestralDiscreteScheduler (euler-a), HeunDiscreteScheduler
 * (heun), DPMSolverMultistepScheduler (dpm++2m, dpm++3m, dpm++2m-sde; solver_order, algorithm_type,
 * solver_type, use_karras_sigmas, final_sigmas_type, lower_order_final, euler_at_final),
 * UniPCMultistepScheduler (unipc; solver_order, solver_type, use_karras_sigmas, final_sigmas_type,
 * lower_order_final, disable_corrector) and LCMScheduler (lcm; original_inference_steps,
 * timestep_scaling). Absent keys take each class's diffusers default (timestep_spacing leading for
 * DDPM, DDIM, PNDM and LCM, linspace for the others; clip_sample true for DDPM and DDIM). Every other
 * setting a sampler would not reproduce is refused by its key: thresholding, rescale_betas_zero_snr,
 * learned variances, exponential, beta, flow or Lu sigmas, and the like.
 *
 * @param schedule beta_schedule, beta_start, beta_end, num_train_timesteps
 * @param prediction prediction_type: epsilon, v_prediction or sample
 * @param spacing timestep_spacing
 * @param clip clip_sample
 * @param variance variance_type (DDPM)
 * @param sampler the sampler of the scheduler class, with the variant its keys choose
 * @param stepsOffset steps_offset
 * @param alphaToOne set_alpha_to_one (DDIM, PNDM)
 * @param samplingDefaults jdiffusion's sampling defaults ("_jdiffusion_sampling", which diffusers ignores as it
 *     ignores every key starting with "_"), or null
 */
public record DiffusersScheduler(ScheduleConfig schedule, Prediction prediction, Timesteps spacing, boolean clip,
    Ddpm.Variance variance, Sampler sampler, int stepsOffset, boolean alphaToOne, SamplingDefaults samplingDefaults) {

  /** The key of jdiffusion's sampling defaults in a scheduler config. */
  public static final String DEFAULTS_KEY = "_jdiffusion_sampling";

  /** The scheduler classes read, in the order docs list them. */
  public static final List<String> CLASSES = List.of("DDPMScheduler", "DDIMScheduler", "PNDMScheduler",
      "LMSDiscreteScheduler", "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "HeunDiscreteScheduler",
      "DPMSolverMultistepScheduler", "UniPCMultistepScheduler", "LCMScheduler");

  /** What a model folder without a scheduler config gets: DDPMScheduler's defaults. */
  public static DiffusersScheduler defaults() {
    return new DiffusersScheduler(ScheduleConfig.defaults(), Prediction.EPS, Timesteps.LEADING, true,
        Ddpm.Variance.FIXED_SMALL, Samplers.DDPM, 0, true, null);
  }

  /**
   * Reads a scheduler config.
   *
   * @param file names it in errors
   * @param warn receives a line for a setting that is read but changes nothing here
   */
  public static DiffusersScheduler read(JsonNode c, String file, Consumer<String> warn) {
    if (c == null || !c.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    ConfigReader r = new ConfigReader(c, file);
    String cls = r.text("_class_name", "DDPMScheduler");
    if (!CLASSES.contains(cls)) {
      throw new StoreException(file + ": scheduler class " + cls + " is not supported (jdiffusion reads "
          + String.join(", ", CLASSES) + ")");
    }
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
      default -> throw refuse(file, "prediction_type", predictionType, "epsilon, v_prediction or sample");
    };
    boolean ddpmLike = cls.equals("DDPMScheduler") || cls.equals("DDIMScheduler");
    boolean clip = r.bool("clip_sample", ddpmLike);
    if (clip && r.number("clip_sample_range", 1.0) != 1.0) {
      throw refuse(file, "clip_sample_range", c.get("clip_sample_range").asText(), "1.0 (clipping to [-1, 1])");
    }
    for (String key : List.of("thresholding", "rescale_betas_zero_snr", "use_exponential_sigmas", "use_beta_sigmas",
        "use_flow_sigmas", "use_lu_lambdas", "use_dynamic_shifting")) {
      if (r.bool(key, false)) {
        throw refuse(file, key, "true", "false");
      }
    }
    boolean leadingByDefault = ddpmLike || cls.equals("PNDMScheduler") || cls.equals("LCMScheduler");
    String spacingName = r.text("timestep_spacing", leadingByDefault ? "leading" : "linspace");
    Timesteps spacing;
    try {
      spacing = Timesteps.parse(spacingName);
    } catch (IllegalArgumentException e) {
      throw refuse(file, "timestep_spacing", spacingName, "leading, trailing or linspace");
    }
    int offset = r.integer("steps_offset", 0);
    if (offset < 0) {
      throw refuse(file, "steps_offset", String.valueOf(offset), "a number >= 0");
    }
    boolean alphaToOne = r.bool("set_alpha_to_one", !cls.equals("PNDMScheduler")); // diffusers' per-class default
    Ddpm.Variance variance = Ddpm.Variance.FIXED_SMALL;
    if (cls.equals("DDPMScheduler")) {
      String v = r.text("variance_type", "fixed_small");
      variance = switch (v) {
        case "fixed_small" -> Ddpm.Variance.FIXED_SMALL;
        case "fixed_large" -> Ddpm.Variance.FIXED_LARGE;
        default -> throw refuse(file, "variance_type", v, "fixed_small or fixed_large");
      };
    } else if (c.hasNonNull("variance_type")) {
      throw refuse(file, "variance_type", r.text("variance_type", ""), "none (learned variances are not supported)");
    }
    Sampler sampler = samplerOf(r, c, cls, file, prediction);
    SamplingDefaults defaults = null;
    if (c.hasNonNull(DEFAULTS_KEY)) {
      defaults = SamplingDefaults.read(c.get(DEFAULTS_KEY), file, warn).orElse(null);
    }
    return new DiffusersScheduler(schedule, prediction, spacing, clip, variance, sampler, offset, alphaToOne, defaults);
  }

  /** The sampler of a scheduler class, its variant chosen by the class's keys. */
  private static Sampler samplerOf(ConfigReader r, JsonNode c, String cls, String file, Prediction prediction) {
    boolean karras = r.bool("use_karras_sigmas", false);
    String finalSigmas = r.text("final_sigmas_type", "zero");
    if (!finalSigmas.equals("zero") && !finalSigmas.equals("sigma_min")) {
      throw refuse(file, "final_sigmas_type", finalSigmas, "zero or sigma_min");
    }
    if (!finalSigmas.equals("zero") && !cls.equals("DPMSolverMultistepScheduler")
        && !cls.equals("UniPCMultistepScheduler")) {
      throw refuse(file, "final_sigmas_type", finalSigmas, "zero for " + cls);
    }
    if (karras && List.of("DDPMScheduler", "DDIMScheduler", "PNDMScheduler", "EulerAncestralDiscreteScheduler",
        "LCMScheduler").contains(cls)) {
      throw refuse(file, "use_karras_sigmas", "true", "false for " + cls);
    }
    String k = karras ? "-karras" : "";
    return switch (cls) {
      case "DDPMScheduler" -> Samplers.DDPM;
      case "DDIMScheduler" -> Samplers.DDIM;
      case "PNDMScheduler" -> {
        if (!r.bool("skip_prk_steps", false)) {
          throw refuse(file, "skip_prk_steps", "false", "true (PLMS; the Runge-Kutta warm-up is not implemented)");
        }
        if (prediction == Prediction.X0) {
          throw refuse(file, "prediction_type", "sample", "epsilon or v_prediction for PNDMScheduler");
        }
        yield Samplers.PNDM;
      }
      case "LMSDiscreteScheduler" -> Samplers.byName("lms" + k);
      case "EulerDiscreteScheduler" -> {
        r.only("interpolation_type", "linear", "linear");
        r.only("timestep_type", "discrete", "discrete");
        yield Samplers.byName("euler" + k);
      }
      case "EulerAncestralDiscreteScheduler" -> Samplers.EULER_A;
      case "HeunDiscreteScheduler" -> Samplers.byName("heun" + k);
      case "DPMSolverMultistepScheduler" -> {
        String algorithm = r.text("algorithm_type", "dpmsolver++");
        if (!algorithm.equals("dpmsolver++") && !algorithm.equals("sde-dpmsolver++")) {
          throw refuse(file, "algorithm_type", algorithm, "dpmsolver++ or sde-dpmsolver++");
        }
        boolean sde = algorithm.equals("sde-dpmsolver++");
        int order = r.integer("solver_order", 2);
        if (order < 1 || order > (sde ? 2 : 3)) {
          throw refuse(file, "solver_order", String.valueOf(order), sde ? "1 or 2 for sde-dpmsolver++" : "1, 2 or 3");
        }
        String solverType = r.text("solver_type", "midpoint");
        if (!solverType.equals("midpoint") && !solverType.equals("heun")) {
          throw refuse(file, "solver_type", solverType, "midpoint or heun");
        }
        if (r.number("lambda_min_clipped", Double.NEGATIVE_INFINITY) != Double.NEGATIVE_INFINITY) {
          throw refuse(file, "lambda_min_clipped", c.get("lambda_min_clipped").asText(), "-inf");
        }
        var settings = new DpmSolverMultistep.Settings(order, sde, karras, finalSigmas.equals("sigma_min"),
            r.bool("lower_order_final", true), solverType.equals("heun"), r.bool("euler_at_final", false));
        String name = order == 1 ? "dpm++1" + (sde ? "-sde" : "") + k : "dpm++" + order + "m" + (sde ? "-sde" : "") + k;
        yield new DpmSolverMultistep(name, settings);
      }
      case "UniPCMultistepScheduler" -> {
        int order = r.integer("solver_order", 2);
        if (order < 1 || order > 3) {
          throw refuse(file, "solver_order", String.valueOf(order), "1, 2 or 3");
        }
        String solverType = r.text("solver_type", "bh2");
        if (!solverType.equals("bh1") && !solverType.equals("bh2")) {
          throw refuse(file, "solver_type", solverType, "bh1 or bh2");
        }
        if (!r.bool("predict_x0", true)) {
          throw refuse(file, "predict_x0", "false", "true (UniPC in data-prediction form)");
        }
        if (c.hasNonNull("solver_p")) {
          throw refuse(file, "solver_p", c.get("solver_p").toString(), "none");
        }
        JsonNode disabled = c.get("disable_corrector");
        java.util.Set<Integer> off = new java.util.HashSet<>();
        if (disabled != null && !disabled.isNull()) {
          if (!disabled.isArray()) {
            throw new StoreException(file + ": disable_corrector must be a list of step indices, got " + disabled);
          }
          if (!disabled.isEmpty()) {
            off.addAll(r.ints("disable_corrector", List.of()));
          }
        }
        yield new UniPc("unipc" + k, new UniPc.Settings(order, solverType.equals("bh2"), karras,
            finalSigmas.equals("sigma_min"), r.bool("lower_order_final", true), off));
      }
      case "LCMScheduler" -> {
        Lcm.Settings settings;
        try {
          settings = new Lcm.Settings(r.integer("original_inference_steps", 50), r.number("timestep_scaling", 10));
        } catch (IllegalArgumentException e) {
          throw new StoreException(file + ": " + e.getMessage());
        }
        yield new Lcm("lcm", settings);
      }
      default -> throw new IllegalStateException(cls);
    };
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
   * The scheduler_config.json of a model that samples by default with {@code sampler} and {@code run}:
   * the diffusers scheduler class and keys that reproduce it (a sampler without one, such as
   * euler-a-karras or an application's own, is written as its nearest class), jdiffusion's schedule and
   * prediction, and {@code defaults} under {@value #DEFAULTS_KEY} so that jdiffusion reads back the very
   * sampler, steps, eta and guidance.
   */
  public static ObjectNode write(ScheduleConfig s, Prediction p, Sampler sampler, SamplerSettings run,
      SamplingDefaults defaults) {
    ObjectNode c = Json.mapper().createObjectNode();
    c.put("_class_name", className(sampler));
    c.put("_diffusers_version", "0.31.0");
    c.put("beta_end", s.betaEnd());
    c.put("beta_schedule", switch (s.betaSchedule()) {
      case LINEAR -> "linear";
      case QUADRATIC -> "scaled_linear";
      case COSINE -> "squaredcos_cap_v2";
      case SIGMOID -> "sigmoid";
    });
    c.put("beta_start", s.betaStart());
    c.put("clip_sample", run.clip());
    c.put("clip_sample_range", 1.0);
    c.put("num_train_timesteps", s.steps());
    c.put("prediction_type", switch (p) {
      case EPS -> "epsilon";
      case V -> "v_prediction";
      case X0 -> "sample";
    });
    c.put("set_alpha_to_one", run.alphaToOne());
    c.put("steps_offset", run.stepsOffset());
    c.put("thresholding", false);
    c.put("timestep_spacing", run.spacing().configName());
    c.putNull("trained_betas");
    if (sampler instanceof Ddpm) {
      c.put("variance_type", run.variance().name().toLowerCase(Locale.ROOT));
    } else if (sampler instanceof Pndm) {
      c.put("skip_prk_steps", true);
    } else if (sampler instanceof Lms l) {
      c.put("use_karras_sigmas", l.karras());
    } else if (sampler instanceof Euler e) {
      c.put("use_karras_sigmas", e.karras());
    } else if (sampler instanceof Heun h) {
      c.put("use_karras_sigmas", h.karras());
    } else if (sampler instanceof DpmSolverMultistep d) {
      DpmSolverMultistep.Settings k = d.settings();
      c.put("solver_order", k.order());
      c.put("algorithm_type", k.sde() ? "sde-dpmsolver++" : "dpmsolver++");
      c.put("solver_type", k.heunSolver() ? "heun" : "midpoint");
      c.put("use_karras_sigmas", k.karras());
      c.put("final_sigmas_type", k.finalSigmaMin() ? "sigma_min" : "zero");
      c.put("lower_order_final", k.lowerOrderFinal());
      c.put("euler_at_final", k.eulerAtFinal());
    } else if (sampler instanceof UniPc u) {
      UniPc.Settings k = u.settings();
      c.put("solver_order", k.order());
      c.put("solver_type", k.bh2() ? "bh2" : "bh1");
      c.put("use_karras_sigmas", k.karras());
      c.put("final_sigmas_type", k.finalSigmaMin() ? "sigma_min" : "zero");
      c.put("lower_order_final", k.lowerOrderFinal());
      var off = c.putArray("disable_corrector");
      k.disableCorrector().stream().sorted().forEach(off::add);
    } else if (sampler instanceof Lcm l) {
      c.put("original_inference_steps", l.settings().originalSteps());
      c.put("timestep_scaling", l.settings().timestepScaling());
    }
    c.set(DEFAULTS_KEY, Json.mapper().valueToTree(defaults));
    return c;
  }

  /** The diffusers scheduler class of a sampler (DDIMScheduler for a sampler diffusers has no class for). */
  public static String className(Sampler sampler) {
    if (sampler instanceof Ddpm) {
      return "DDPMScheduler";
    } else if (sampler instanceof Pndm) {
      return "PNDMScheduler";
    } else if (sampler instanceof Lms) {
      return "LMSDiscreteScheduler";
    } else if (sampler instanceof Euler) {
      return "EulerDiscreteScheduler";
    } else if (sampler instanceof EulerAncestral) {
      return "EulerAncestralDiscreteScheduler";
    } else if (sampler instanceof Heun) {
      return "HeunDiscreteScheduler";
    } else if (sampler instanceof DpmSolverMultistep) {
      return "DPMSolverMultistepScheduler";
    } else if (sampler instanceof UniPc) {
      return "UniPCMultistepScheduler";
    } else if (sampler instanceof Lcm) {
      return "LCMScheduler";
    }
    return "DDIMScheduler";
  }
}
