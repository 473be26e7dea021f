package io.jdiffusion.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a model samples when the caller chooses nothing, stored beside its weights (metadata "sampling"
 * of a weights file, "_jdiffusion_sampling" of an exported diffusers scheduler config) so that a model
 * samples the same way by name, by path and after an export round trip.
 *
 * @param sampler a sampler's name, e.g. {@code ddim} (io.jdiffusion.sampling.Samplers)
 * @param steps the number of steps
 * @param eta the sampler's eta, or null for samplers without one
 * @param spacing the timestep spacing (leading, trailing, linspace), or null for the sampler's own
 * @param guidance the classifier-free guidance weight used when a class is given (1: plain conditional)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SamplingDefaults(String sampler, int steps, Double eta, String spacing, double guidance) {

  public SamplingDefaults {
    if (sampler == null || sampler.isBlank()) {
      throw new IllegalArgumentException("sampling defaults need a sampler");
    }
    if (steps < 1) {
      throw new IllegalArgumentException("sampling defaults need steps >= 1, got " + steps);
    }
    if (eta != null && !(eta >= 0 && Double.isFinite(eta))) {
      throw new IllegalArgumentException("sampling defaults need a finite eta >= 0, got " + eta);
    }
    if (!(guidance >= 0) || !Double.isFinite(guidance)) {
      throw new IllegalArgumentException("sampling defaults need a finite guidance >= 0, got " + guidance);
    }
  }

  /**
   * The defaults a JSON object describes (as written from this record), guidance 1 when absent; a
   * value that does not make valid defaults is reported to {@code warn} with {@code where} and
   * ignored, as other parts of a model's description are read tolerantly.
   */
  public static java.util.Optional<SamplingDefaults> read(com.fasterxml.jackson.databind.JsonNode n, String where,
      java.util.function.Consumer<String> warn) {
    try {
      return java.util.Optional.of(new SamplingDefaults(n.path("sampler").asText(""), n.path("steps").asInt(0),
          n.hasNonNull("eta") ? n.get("eta").asDouble() : null, n.hasNonNull("spacing") ? n.get("spacing").asText() : null,
          n.path("guidance").asDouble(1)));
    } catch (IllegalArgumentException e) {
      warn.accept("warning: " + where + ": sampling defaults ignored (" + e.getMessage() + ")");
      return java.util.Optional.empty();
    }
  }
}
