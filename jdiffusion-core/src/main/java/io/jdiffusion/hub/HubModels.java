package io.jdiffusion.hub;

import io.jdiffusion.store.StoreException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A diffusers U-Net repository on the Hub as a local folder: the few files a UNet2DModel or
 * DDPMPipeline needs, not a snapshot of the whole repository (diffusers' {@code from_pretrained}
 * also downloads only its components' files).
 *
 * <ul>
 *   <li>pipeline layout (unet/config.json exists): model_index.json, unet/config.json,
 *       unet/diffusion_pytorch_model.safetensors, scheduler/scheduler_config.json if present;
 *   <li>model layout: config.json, diffusion_pytorch_model.safetensors, scheduler_config.json if
 *       present.
 * </ul>
 */
public final class HubModels {
  static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

  private HubModels() {}

  /** Downloads (or finds in the cache) the files of {@code ref}; returns the folder that holds them. */
  public static Path download(HubRef ref, HubFiles files) {
    Optional<Path> unet = files.fetch(ref, "unet/config.json");
    String prefix;
    if (unet.isPresent()) {
      files.require(ref, "model_index.json");
      prefix = "unet/";
    } else if (files.fetch(ref, "config.json").isPresent()) {
      prefix = "";
    } else {
      throw new StoreException(ref + " has neither unet/config.json nor config.json: no such repository or revision,"
          + " or not a diffusers UNet2DModel or DDPMPipeline");
    }
    if (files.fetch(ref, prefix + WEIGHTS).isEmpty()) {
      throw new StoreException(ref + " has no " + prefix + WEIGHTS + " (jdiffusion reads safetensors weights only; a"
          + " repository with only diffusion_pytorch_model.bin needs converting, see docs/diffusers.md)");
    }
    files.fetch(ref, prefix.isEmpty() ? "scheduler_config.json" : "scheduler/scheduler_config.json");
    return files.settings().folder(ref);
  }

  /** Resolves {@code hf:ORG/NAME[@REVISION]} with the environment's settings; downloads are logged to {@code log}. */
  public static Path download(String spec, Consumer<String> log) {
    return download(HubRef.parse(spec), new HubFiles(HubSettings.fromEnvironment(), log));
  }
}
