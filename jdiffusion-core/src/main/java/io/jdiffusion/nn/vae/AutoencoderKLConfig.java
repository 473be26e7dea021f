package io.jdiffusion.nn.vae;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.StoreException;
import java.util.List;
import java.util.Set;

/**
 * The architecture and latent scaling of diffusers' {@code AutoencoderKL} (autoencoder_kl.py), one
 * field per config.json key, with diffusers' defaults. The network is fixed by the channels, layers,
 * groups and the three switches; {@code scalingFactor}, {@code shiftFactor}, {@code latentsMean/Std},
 * {@code forceUpcast} and {@code sampleSize} do not change it: they tell a pipeline how to scale
 * latents (z = (x - shift) * scaling, LDM paper Sec. 4.3.2), whether diffusers would run the VAE in
 * float32, and the default tile size of tiled decoding.
 *
 * @param inChannels image channels into the encoder
 * @param outChannels image channels out of the decoder
 * @param latentChannels channels of the latent z (the encoder's output has twice as many: mean, logvar)
 * @param blockOutChannels channels of each resolution level; every level but the last halves the size
 * @param layersPerBlock ResnetBlock2Ds per encoder level (the decoder has one more per level)
 * @param normNumGroups GroupNorm groups everywhere (epsilon 1e-6, as diffusers' Encoder/Decoder)
 * @param sampleSize image size of diffusers' default tiles (tile_sample_min_size)
 * @param scalingFactor latents are multiplied by it before the diffusion model sees them
 * @param shiftFactor subtracted before scaling (SD3, Flux), or null for none
 * @param latentsMean per-channel latent mean (informational; null in most configs)
 * @param latentsStd per-channel latent standard deviation (informational)
 * @param forceUpcast diffusers runs this VAE in float32 in half-precision pipelines (informational)
 * @param useQuantConv a 1x1 convolution on the encoder's moments ({@code quant_conv})
 * @param usePostQuantConv a 1x1 convolution on z before the decoder ({@code post_quant_conv})
 * @param midBlockAddAttention self-attention between the two middle ResnetBlock2Ds
 */
public record AutoencoderKLConfig(int inChannels, int outChannels, int latentChannels, List<Integer> blockOutChannels,
    int layersPerBlock, int normNumGroups, int sampleSize, double scalingFactor, Double shiftFactor,
    List<Double> latentsMean, List<Double> latentsStd, boolean forceUpcast, boolean useQuantConv,
    boolean usePostQuantConv, boolean midBlockAddAttention) {

  /** The keys of diffusers' AutoencoderKL.__init__ (and its saved config). */
  static final Set<String> KEYS = Set.of("in_channels", "out_channels", "down_block_types", "up_block_types",
      "block_out_channels", "layers_per_block", "act_fn", "latent_channels", "norm_num_groups", "sample_size",
      "scaling_factor", "shift_factor", "latents_mean", "latents_std", "force_upcast", "use_quant_conv",
      "use_post_quant_conv", "mid_block_add_attention");

  public AutoencoderKLConfig {
    blockOutChannels = List.copyOf(blockOutChannels);
    if (inChannels < 1 || outChannels < 1 || latentChannels < 1) {
      throw new IllegalArgumentException("in_channels, out_channels and latent_channels must be positive, got "
          + inChannels + ", " + outChannels + ", " + latentChannels);
    }
    if (blockOutChannels.isEmpty()) {
      throw new IllegalArgumentException("block_out_channels must not be empty");
    }
    if (layersPerBlock < 1) {
      throw new IllegalArgumentException("layers_per_block must be at least 1, got " + layersPerBlock);
    }
    if (normNumGroups < 1) {
      throw new IllegalArgumentException("norm_num_groups must be positive, got " + normNumGroups);
    }
    for (int ch : blockOutChannels) {
      if (ch < 1 || ch % normNumGroups != 0) {
        throw new IllegalArgumentException("block_out_channels " + blockOutChannels + ": " + ch
            + " channels not divisible into norm_num_groups " + normNumGroups);
      }
    }
    if (!(scalingFactor > 0) || Double.isInfinite(scalingFactor)) {
      throw new IllegalArgumentException("scaling_factor must be a positive number, got " + scalingFactor);
    }
    if (shiftFactor != null && !Double.isFinite(shiftFactor)) {
      throw new IllegalArgumentException("shift_factor must be a finite number or null, got " + shiftFactor);
    }
    latentsMean = latentsMean == null ? null : List.copyOf(latentsMean);
    latentsStd = latentsStd == null ? null : List.copyOf(latentsStd);
  }

  /** Stable Diffusion 1.x/2.x's VAE (83.7 M parameters): 128, 256, 512, 512 channels, 2 layers, 4 latent channels. */
  public static AutoencoderKLConfig stableDiffusion() {
    return new AutoencoderKLConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, 512, 0.18215, null, null, null,
        true, true, true, true);
  }

  /** How many times the encoder halves the image: 2^(levels - 1) pixels per latent. */
  public int downscale() {
    return 1 << (blockOutChannels.size() - 1);
  }

  /** The shift, 0 when the config has none. */
  public double shift() {
    return shiftFactor == null ? 0.0 : shiftFactor;
  }

  /**
   * The config that a diffusers config.json describes.
   *
   * @param file names the config in errors
   * @throws StoreException naming the key when the file describes a network jdiffusion does not compute:
   *     an unknown key, a block type other than DownEncoderBlock2D / UpDecoderBlock2D, an activation other
   *     than silu, mismatched list lengths
   */
  public static AutoencoderKLConfig read(JsonNode json, String file) {
    ConfigKeys r = ConfigKeys.of(json, file, "AutoencoderKL", KEYS);
    r.oneOf("act_fn", "silu", Set.of("silu", "swish"));
    List<Integer> channels = r.ints("block_out_channels", List.of(64));
    List<String> down = r.texts("down_block_types", List.of("DownEncoderBlock2D"));
    List<String> up = r.texts("up_block_types", List.of("UpDecoderBlock2D"));
    for (String t : down) {
      if (!t.equals("DownEncoderBlock2D") && !t.equals("UNetResDownEncoderBlock2D")) {
        throw new StoreException(file + ": down_block_types has " + t + "; jdiffusion computes DownEncoderBlock2D");
      }
    }
    for (String t : up) {
      if (!t.equals("UpDecoderBlock2D") && !t.equals("UNetResUpDecoderBlock2D")) {
        throw new StoreException(file + ": up_block_types has " + t + "; jdiffusion computes UpDecoderBlock2D");
      }
    }
    if (down.size() != channels.size() || up.size() != channels.size()) {
      throw new StoreException(file + ": " + channels.size() + " block_out_channels, " + down.size()
          + " down_block_types and " + up.size() + " up_block_types (they must be as many)");
    }
    try {
      return new AutoencoderKLConfig(r.integer("in_channels", 3), r.integer("out_channels", 3),
          r.integer("latent_channels", 4), channels, r.integer("layers_per_block", 1), r.integer("norm_num_groups", 32),
          r.sampleSize(32), r.number("scaling_factor", 0.18215), r.optionalNumber("shift_factor"),
          r.optionalNumbers("latents_mean"), r.optionalNumbers("latents_std"), r.bool("force_upcast", true),
          r.bool("use_quant_conv", true), r.bool("use_post_quant_conv", true), r.bool("mid_block_add_attention", true));
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
  }
}
