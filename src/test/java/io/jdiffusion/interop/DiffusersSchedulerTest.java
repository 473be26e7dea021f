package io.jdiffusion.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.sampling.Ddpm;
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
  void theClassNamesTheSampler() throws Exception {
    assertEquals(Samplers.DDPM, read("{\"_class_name\": \"DDPMScheduler\"}").sampler());
    assertEquals(Samplers.DDIM, read("{\"_class_name\": \"DDIMScheduler\"}").sampler());
    assertEquals(Samplers.DPMPP_2M, read("{\"_class_name\": \"DPMSolverMultistepScheduler\"}").sampler());
    assertEquals(Samplers.EULER, read("{\"_class_name\": \"EulerDiscreteScheduler\", \"use_karras_sigmas\": true}")
        .sampler());
    assertEquals(Samplers.EULER_A, read("{\"_class_name\": \"EulerAncestralDiscreteScheduler\", "
        + "\"use_karras_sigmas\": true}").sampler());
    assertEquals(Samplers.HEUN, read("{\"_class_name\": \"HeunDiscreteScheduler\", \"use_karras_sigmas\": true}")
        .sampler());
    assertEquals(List.of(), warnings);
    assertEquals(Samplers.EULER, read("{\"_class_name\": \"EulerDiscreteScheduler\"}").sampler());
    assertTrue(warnings.get(0).contains("Karras"), warnings.toString());
    assertEquals(Samplers.DDIM, read("{\"_class_name\": \"PNDMScheduler\"}").sampler());
    assertTrue(warnings.get(1).contains("PNDMScheduler") && warnings.get(1).contains("--sampler"), warnings.get(1));
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
  void variantsWithoutAJdiffusionSamplerAreRefusedByKey() {
    for (String[] bad : new String[][] {
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"algorithm_type\": \"sde-dpmsolver++\"}", "algorithm_type"},
        {"{\"_class_name\": \"DPMSolverMultistepScheduler\", \"solver_order\": 3}", "solver_order"},
        {"{\"_class_name\": \"DDIMScheduler\", \"steps_offset\": 1}", "steps_offset"}}) {
      StoreException e = assertThrows(StoreException.class, () -> read(bad[0]));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }

  @Test
  void pipelineClassesNameTheirStepCounts() {
    assertEquals(OptionalInt.of(1000), DiffusersFolder.pipelineSteps("DDPMPipeline"));
    assertEquals(OptionalInt.of(50), DiffusersFolder.pipelineSteps("DDIMPipeline"));
    assertEquals(OptionalInt.empty(), DiffusersFolder.pipelineSteps("StableDiffusionPipeline"));
  }
}
