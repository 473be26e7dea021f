package io.jdiffusion.hub;

import io.jdiffusion.store.StoreException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A diffusers U-Net repository on the Hub as a local folder: the few files a UNet2DModel or
 * DDPMPipeline needs, not a snapshot of the whole repository (diffusers' {@code from_pretrained}
 * also downloads only its components' files); a text-to-image pipeline as {@link HubPipelines}.
 *
 * <ul>
 *   <li>pipeline layout (unet/config.json exists): model_index.json, unet/config.json, the unet's
 *       weights ({@link HubPipelines#weights}), scheduler/scheduler_config.json if present;
 *   <li>model layout: config.json, the weights, scheduler_config.json if present.
 * </ul>
 *
 * Offline (HF_HUB_OFFLINE), the layout and the weights' names are found from the cached files alone.
 */
public final class HubModels {
  private HubModels() {}

  /**
   * Downloads (or finds in the cache) the files of {@code ref}; returns the folder that holds them. A
   * text-to-image pipeline (a model_index.json naming a text encoder) downloads as {@link HubPipelines}
   * does.
   */
  public static Path download(HubRef ref, HubFiles files) {
    return download(ref, files, null);
  }

  /** {@link #download(HubRef, HubFiles)}, preferring the weights variant {@code variant} (fp16, bf16; null: none). */
  public static Path download(HubRef ref, HubFiles files, String variant) {
    Optional<Path> index = files.probe(ref, "model_index.json");
    if (index.isPresent() && HubPipelines.isTextToImage(index.get())) {
      return HubPipelines.download(ref, files, variant);
    }
    Optional<Path> unet = files.probe(ref, "unet/config.json");
    String prefix;
    if (unet.isPresent()) {
      files.require(ref, "model_index.json");
      prefix = "unet/";
    } else if (files.probe(ref, "config.json").isPresent()) {
      prefix = "";
    } else {
      throw new StoreException(ref + (files.settings().offline()
          ? " is not in the cache (" + files.settings().folder(ref) + ") and HF_HUB_OFFLINE is set; run once without it"
              + " to download"
          : " has neither unet/config.json nor config.json: no such repository or revision, or not a diffusers"
              + " UNet2DModel or DDPMPipeline"));
    }
    HubPipelines.weights(ref, files, prefix, "diffusion_pytorch_model", variant);
    files.probe(ref, prefix.isEmpty() ? "scheduler_config.json" : "scheduler/scheduler_config.json");
    return files.settings().folder(ref);
  }

  /** Resolves {@code hf:ORG/NAME[@REVISION]} with the environment's settings; downloads are logged to {@code log}. */
  public static Path download(String spec, Consumer<String> log) {
    return download(spec, null, log);
  }

  /** {@link #download(String, Consumer)} preferring the weights variant {@code variant} (null: none). */
  public static Path download(String spec, String variant, Consumer<String> log) {
    return download(HubRef.parse(spec), new HubFiles(HubSettings.fromEnvironment(), log), variant);
  }

  /**
   * Whether {@code hf:ORG/NAME[@REVISION]} is a text-to-image pipeline (its model_index.json names a text
   * encoder); fetches that file only. False for a repository without one.
   */
  public static boolean isTextToImage(String spec, Consumer<String> log) {
    HubRef ref = HubRef.parse(spec);
    return new HubFiles(HubSettings.fromEnvironment(), log).probe(ref, "model_index.json")
        .map(HubPipelines::isTextToImage).orElse(false);
  }

  /**
   * Where a model spec's files are: {@code hf:ORG/NAME[@REVISION]} downloaded (or found in the cache),
   * anything else as the path it names.
   */
  public static Path localPath(String spec, String variant, Consumer<String> log) {
    return spec != null && HubRef.isRef(spec) ? download(spec, variant, log) : Path.of(spec);
  }
}
