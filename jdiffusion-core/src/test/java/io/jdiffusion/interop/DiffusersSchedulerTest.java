package io.jdiffusion.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.model.SamplingDefaults;
import io.jdiffusion.sampling.Ddpm;
import io.jdiffusion.sampling.DpmSolverMultistep;
import io.jdiffusion.sampling.Sampler;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.UniPc;
import io.jdiffusion.schedule.BetaSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Scheduler classes and keys as sampler defaults, with diffusers' per-class defaults for absent keys. */
class DiffusersSchedulerTest {
  private final List<String> warnings = new ArrayList<>();

  private DiffusersScheduler read(String json) throws Exception {
    return DiffusersScheduler.read(Json.mapper().readTree(json), "scheduler_config.json", warnings::add);
  }

  @Test
  void theClassAndItsKeysNameTheSampler() throws Exception {
    String[][] cases = {
        {"{\"_class_name\": \"DDPMScheduler\"}", "ddpm"},
        {"{\"_class_name\": \"DDIMScheduler\"}", "ddim"},
        {"{\"_class_name\": \"PNDMScheduler\", \"skip_prk_steps\": true}", "pndm"},
        {"{\"_class_name\": \"LMSDiscreteScheduler\"}", "lms"},
        {"{\"_class_name\": \"LMSDiscreteScheduler\", \"use_karras_sigmas\": true}", "lms-karras"},
        {"{\"_class_name\": \"EulerDiscreteScheduler\"}", "euler"},
        {"{\"_class_name\": \"EulerDiscreteScheduler\", \"use_karras_sigmas\": true}", "euler-karras"},
        {"{\"_class_name\": \"EulerAncestralDiscreteScheduler\"}", "euler-a"},
        {"{\"_class_name\": \"HeunDiscreteScheduler\", \"use_karras_sigmas\": true}", "heun-karras"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\"}", "dpm++2m"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"use_karras_sigmas\": true}", "dpm++2m-karras"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"algorithm_type\": \"sde-dpmsolver++\"}",
            "dpm++2m-sde"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"solver_order\": 3}", "dpm++3m"},
        {"{\"_class_name\": \"UniPCMultistepScheduler\"}", "unipc"},
        {"{\"_class_name\": \"LCMScheduler\"}", "lcm"}};
    for (String[] c : cases) {
      assertEquals(c[1], read(c[0]).sampler().name(), c[0]);
    }
    assertEquals(List.of(), warnings);
    assertEquals(Samplers.DDIM, read("{\"_class_name\": \"DDIMScheduler\"}").sampler());
    // settings beyond the name travel in the sampler
    var dpm = (io.jdiffusion.sampling.DpmSolverMultistep) read("{\"_class_name\": \"DPMSolverMultistepScheduler\", "
        + "\"final_sigmas_type\": \"sigma_min\", \"lower_order_final\": false, \"solver_type\": \"heun\"}").sampler();
    assertTrue(dpm.settings().finalSigmaMin() && !dpm.settings().lowerOrderFinal() && dpm.settings().heunSolver());
  }

  @Test
  void absentKeysTakeTheClasssDefaults() throws Exception {
    DiffusersScheduler ddpm = read("{\"_class_name\": \"DDPMScheduler\"}");
    assertEquals(Timesteps.LEADING, ddpm.spacing());
    assertTrue(ddpm.clip());
    assertEquals(Ddpm.Variance.FIXED_SMALL, ddpm.variance());
    DiffusersScheduler dpm = read("{\"_class_name\": \"DPMSolverMultistepScheduler\"}");
    assertEquals(Timesteps.LINSPACE, dpm.spacing());
    assertFalse(dpm.clip());
    DiffusersScheduler given = read("{\"_class_name\": \"DDPMScheduler\", \"timestep_spacing\": \"trailing\", "
        + "\"clip_sample\": false, \"variance_type\": \"fixed_large\", \"steps_offset\": 1}");
    assertEquals(Timesteps.TRAILING, given.spacing());
    assertFalse(given.clip());
    assertEquals(Ddpm.Variance.FIXED_LARGE, given.variance());
  }

  @Test
  void settingsNoSamplerReproducesAreRefusedByKey() {
    for (String[] bad : new String[][] {
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"algorithm_type\": \"dpmsolver\"}", "algorithm_type"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"solver_order\": 4}", "solver_order"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"algorithm_type\": \"sde-dpmsolver++\", "
            + "\"solver_order\": 3}", "solver_order"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"use_lu_lambdas\": true}", "use_lu_lambdas"},
        {"{\"_class_name\": \"EulerDiscreteScheduler\", \"use_exponential_sigmas\": true}", "use_exponential_sigmas"},
        {"{\"_class_name\": \"EulerDiscreteScheduler\", \"interpolation_type\": \"log_linear\"}",
            "interpolation_type"},
        {"{\"_class_name\": \"EulerDiscreteScheduler\", \"final_sigmas_type\": \"sigma_min\"}", "final_sigmas_type"},
        {"{\"_class_name\": \"EulerAncestralDiscreteScheduler\", \"use_karras_sigmas\": true}", "use_karras_sigmas"},
        {"{\"_class_name\": \"PNDMScheduler\"}", "skip_prk_steps"},
        {"{\"_class_name\": \"PNDMScheduler\", \"skip_prk_steps\": true, \"prediction_type\": \"sample\"}",
            "prediction_type"},
        {"{\"_class_name\": \"UniPCMultistepScheduler\", \"predict_x0\": false}", "predict_x0"},
        {"{\"_class_name\": \"UniPCMultistepScheduler\", \"solver_type\": \"bh3\"}", "solver_type"},
        {"{\"_class_name\": \"DDIMScheduler\", \"thresholding\": true}", "thresholding"},
        {"{\"_class_name\": \"DDPMScheduler\", \"variance_type\": \"learned_range\"}", "variance_type"},
        {"{\"_class_name\": \"KDPM2DiscreteScheduler\"}", "KDPM2DiscreteScheduler"}}) {
      StoreException e = assertThrows(StoreException.class, () -> read(bad[0]));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }

  @Test
  void stepsOffsetAndAlphaToOneTravel() throws Exception {
    DiffusersScheduler sd = read("{\"_class_name\": \"PNDMScheduler\", \"skip_prk_steps\": true, \"steps_offset\": 1}");
    assertEquals(1, sd.stepsOffset());
    assertFalse(sd.alphaToOne(), "PNDMScheduler's set_alpha_to_one defaults to false");
    assertTrue(read("{\"_class_name\": \"DDIMScheduler\"}").alphaToOne());
  }

  @Test
  void everySamplerWritesAConfigThatReadsBackAsItself() throws Exception {
    ScheduleConfig sd = new ScheduleConfig(BetaSchedule.QUADRATIC, 1000, 0.00085, 0.012);
    for (Sampler sampler : Samplers.all()) {
      if (!sampler.getClass().getPackageName().equals("io.jdiffusion.sampling")) {
        continue; // an application's own sampler is written as DDIM plus its name
      }
      SamplerSettings run = new SamplerSettings(0, Ddpm.Variance.FIXED_LARGE, false, Timesteps.TRAILING, 1, false);
      SamplingDefaults d = new SamplingDefaults(sampler.name(), 25, sampler.usesEta() ? 0.5 : null, "trailing", 3);
      var json = DiffusersScheduler.write(sd, Prediction.V, sampler, run, d);
      DiffusersScheduler back = DiffusersScheduler.read(Json.mapper().readTree(json.toString()), "x", warnings::add);
      boolean karrasAncestral = sampler.name().equals("euler-a-karras"); // diffusers' Euler a has no Karras sigmas
      assertEquals(karrasAncestral ? "euler-a" : sampler.name(), back.sampler().name());
      if (sampler instanceof DpmSolverMultistep dpm) {
        assertEquals(dpm.settings(), ((DpmSolverMultistep) back.sampler()).settings());
      }
      if (sampler instanceof UniPc u) {
        assertEquals(u.settings(), ((UniPc) back.sampler()).settings());
      }
      assertEquals(Timesteps.TRAILING, back.spacing());
      assertEquals(1, back.stepsOffset());
      assertFalse(back.clip());
      assertEquals(Prediction.V, back.prediction());
      assertEquals(d, back.samplingDefaults(), "jdiffusion's own defaults ride along: " + sampler.name());
    }
    assertEquals(List.of(), warnings);
  }

  @Test
  void pipelineClassesNameTheirStepCounts() {
    assertEquals(OptionalInt.of(1000), DiffusersFolder.pipelineSteps("DDPMPipeline"));
    assertEquals(OptionalInt.of(50), DiffusersFolder.pipelineSteps("DDIMPipeline"));
    assertEquals(OptionalInt.empty(), DiffusersFolder.pipelineSteps("StableDiffusionPipeline"));
  }
}
