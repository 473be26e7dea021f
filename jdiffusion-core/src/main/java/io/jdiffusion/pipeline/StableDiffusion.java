package io.jdiffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.interop.DiffusersScheduler;
import io.jdiffusion.hub.HubModels;
import io.jdiffusion.hub.HubRef;
import io.jdiffusion.interop.PipelineIndex;
import io.jdiffusion.interop.UNet2DConditionFolder;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.clip.ClipTextModel;
import io.jdiffusion.nn.clip.ClipTextWeights;
import io.jdiffusion.nn.conditional.UNet2DCondition;
import io.jdiffusion.nn.vae.AutoencoderKL;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.text.ClipTokenizer;
import io.jdiffusion.text.PromptEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;

/**
 * A Stable Diffusion family pipeline loaded from a diffusers pipeline folder ({@link PipelineIndex}):
 * the CLIP tokenizer and text encoder, the text-conditioned U-Net, the autoencoder and the scheduler,
 * each from its own folder and config, as diffusers' {@code DiffusionPipeline.from_pretrained} builds
 * them. {@link TextToImage} runs it as StableDiffusionPipeline.__call__ does.
 */
public final class StableDiffusion implements AutoCloseable {
  private final PipelineIndex index;
  private final ClipTokenizer tokenizer;
  private final ClipTextModel textEncoder;
  private final UNet2DCondition unet;
  private final AutoencoderKL vae;
  private final DiffusersScheduler scheduler;
  private final int sampleSize;
  private final StableDiffusion owner; // null: this instance owns the components
  private boolean closed;

  private StableDiffusion(PipelineIndex index, ClipTokenizer tokenizer, ClipTextModel textEncoder,
      UNet2DCondition unet, AutoencoderKL vae, DiffusersScheduler scheduler, int sampleSize, StableDiffusion owner) {
    this.index = index;
    this.tokenizer = tokenizer;
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.vae = vae;
    this.scheduler = scheduler;
    this.sampleSize = sampleSize;
    this.owner = owner;
  }

  /**
   * This pipeline with another scheduler (diffusers' {@code pipe.scheduler = Cls.from_config(...)}):
   * the same components, shared; closing the original frees them, closing this one does nothing.
   */
  public StableDiffusion withScheduler(DiffusersScheduler other) {
    check();
    return new StableDiffusion(index, tokenizer, textEncoder, unet, vae, other, sampleSize,
        owner != null ? owner : this);
  }

  /**
   * Whether {@code spec} names a text-to-image pipeline: a folder whose model_index.json names a text
   * encoder, or {@code hf:ORG/NAME[@REVISION]} whose model_index.json does (only that file is fetched).
   */
  public static boolean isPipeline(String spec, Consumer<String> log) {
    if (spec == null || spec.isBlank()) {
      return false;
    }
    return HubRef.isRef(spec) ? HubModels.isTextToImage(spec, log) : PipelineIndex.isTextToImage(Path.of(spec));
  }

  /** Where a pipeline spec's files are: a folder as it is, {@code hf:...} downloaded (with {@code variant}'s weights). */
  public static Path folder(String spec, String variant, Consumer<String> log) {
    return HubModels.localPath(spec, variant, log);
  }

  /**
   * Loads a pipeline folder.
   *
   * @param variant the weights variant to read ("fp16", "bf16"), or null for float32 files first, then a
   *     variant that is present
   * @param warn receives notes and warnings (ignored config keys, skipped components)
   * @throws StoreException naming the folder, component and problem in one line
   */
  public static StableDiffusion load(Path dir, String variant, Consumer<String> warn) {
    PipelineIndex index = PipelineIndex.read(dir, warn);
    Torch.init();
    JsonNode schedulerConfig = readJson(dir.resolve("scheduler").resolve("scheduler_config.json"));
    DiffusersScheduler scheduler = DiffusersScheduler.read(schedulerConfig,
        dir.resolve("scheduler").resolve("scheduler_config.json").toString(), warn);
    int sampleSize = readJson(dir.resolve("unet").resolve("config.json")).path("sample_size").asInt(64);
    ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
    ClipTextModel textEncoder = null;
    UNet2DCondition unet = null;
    try {
      // as diffusers' pipelines do: a component without the variant's files loads its plain ones
      Path text = dir.resolve("text_encoder");
      textEncoder = ClipTextModel.load(text, variant != null && ClipTextWeights.hasVariant(text, variant) ? variant : null,
          warn);
      unet = UNet2DConditionFolder.load(dir.resolve("unet"), variant, warn);
      Path vaeDir = dir.resolve("vae");
      AutoencoderKL vae = AutoencoderKL.load(vaeDir,
          variant != null && AutoencoderKL.hasVariant(vaeDir, variant) ? variant : null);
      if (textEncoder.config().hiddenSize() != unet.config().crossAttentionDim()) {
        vae.close();
        throw new StoreException(dir + ": the text encoder's states are " + textEncoder.config().hiddenSize()
            + " wide, the unet's cross-attention expects " + unet.config().crossAttentionDim());
      }
      return new StableDiffusion(index, tokenizer, textEncoder, unet, vae, scheduler, sampleSize, null);
    } catch (RuntimeException e) {
      if (textEncoder != null) {
        textEncoder.close();
      }
      if (unet != null) {
        unet.close();
      }
      throw e;
    }
  }

  private static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new StoreException(file + ": missing");
    }
    try {
      return Json.mapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new StoreException(file + ": unreadable (" + e.getMessage() + ")");
    }
  }

  /**
   * The text encoder's states for one prompt, [1, 77, D], as diffusers' encode_prompt computes them
   * (tokenized to model_max_length with truncation and padding; clip_skip as there); a prompt longer
   * than the tokenizer's limit is cut, and {@code warn} gets "note: " and diffusers' line naming what was cut.
   */
  public Tensor encodePrompt(String prompt, int clipSkip, Forward f, Consumer<String> warn) {
    check();
    PromptEncoding e = tokenizer.encodeForPipeline(prompt == null ? "" : prompt);
    e.warning().ifPresent(w -> warn.accept("note: " + w)); // diffusers' own words, as a note line
    return textEncoder.encode(ClipTextModel.ids(e.ids()), clipSkip, f);
  }

  public PipelineIndex index() {
    return index;
  }

  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  public ClipTextModel textEncoder() {
    check();
    return textEncoder;
  }

  public UNet2DCondition unet() {
    check();
    return unet;
  }

  public AutoencoderKL vae() {
    check();
    return vae;
  }

  /** The folder's scheduler: schedule, prediction type, sampler and its settings. */
  public DiffusersScheduler scheduler() {
    return scheduler;
  }

  /** Pixels per latent cell: 2^(levels - 1) of the autoencoder (8 for Stable Diffusion). */
  public int vaeScaleFactor() {
    return 1 << (vae.config().blockOutChannels().size() - 1);
  }

  /** The default image side: the unet's sample_size times {@link #vaeScaleFactor} (512 for SD 1.x). */
  public int defaultSize() {
    return sampleSize * vaeScaleFactor();
  }

  private void check() {
    if (closed || (owner != null && owner.closed)) {
      throw new IllegalStateException("this pipeline is closed");
    }
  }

  /** Frees every component's native memory now. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (owner != null) {
        return; // borrowed components
      }
      textEncoder.close();
      unet.close();
      vae.close();
    }
  }
}
