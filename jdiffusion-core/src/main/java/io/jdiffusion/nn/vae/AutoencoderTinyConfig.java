package io.jdiffusion.nn.vae;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.StoreException;
import java.util.List;
import java.util.Set;

/**
 * The architecture of diffusers' {@code AutoencoderTiny} (TAESD; models/autoencoders/autoencoder_tiny.py),
 * one field per config.json key, with diffusers' defaults (those of madebyollin/taesd).
 *
 * @param inChannels image channels
 * @param outChannels decoded image channels
 * @param encoderBlockOutChannels channels of each encoder level (all equal: EncoderTiny's stride-2
 *     convolutions map a level's channels to themselves)
 * @param decoderBlockOutChannels channels of each decoder level (all equal, likewise)
 * @param activation "relu" or "silu" (act_fn; the blocks' fuse is a ReLU whatever it is)
 * @param latentChannels latent channels
 * @param upsamplingScalingFactor nearest-neighbour upsampling factor between decoder levels
 * @param numEncoderBlocks AutoencoderTinyBlocks per encoder level
 * @param numDecoderBlocks AutoencoderTinyBlocks per decoder level
 * @param latentMagnitude, latentShift how TAESD maps latents to bytes (informational: scale_latents)
 * @param scalingFactor latent scaling for pipelines (1.0 for TAESD)
 * @param shiftFactor latent shift for pipelines (0.0 for TAESD)
 * @param forceUpcast informational
 */
public record AutoencoderTinyConfig(int inChannels, int outChannels, List<Integer> encoderBlockOutChannels,
    List<Integer> decoderBlockOutChannels, String activation, int latentChannels, int upsamplingScalingFactor,
    List<Integer> numEncoderBlocks, List<Integer> numDecoderBlocks, double latentMagnitude, double latentShift,
    double scalingFactor, double shiftFactor, boolean forceUpcast) {

  static final Set<String> KEYS = Set.of("in_channels", "out_channels", "encoder_block_out_channels",
      "decoder_block_out_channels", "act_fn", "upsample_fn", "latent_channels", "upsampling_scaling_factor",
      "num_encoder_blocks", "num_decoder_blocks", "latent_magnitude", "latent_shift", "force_upcast",
      "scaling_factor", "shift_factor", "block_out_channels");
  static final Set<String> ACTIVATIONS = Set.of("relu", "silu", "swish");

  public AutoencoderTinyConfig {
    encoderBlockOutChannels = List.copyOf(encoderBlockOutChannels);
    decoderBlockOutChannels = List.copyOf(decoderBlockOutChannels);
    numEncoderBlocks = List.copyOf(numEncoderBlocks);
    numDecoderBlocks = List.copyOf(numDecoderBlocks);
    if (!ACTIVATIONS.contains(activation)) {
      throw new IllegalArgumentException("act_fn \"" + activation + "\" is not supported (jdiffusion computes relu, silu)");
    }
    if (encoderBlockOutChannels.size() != numEncoderBlocks.size() || encoderBlockOutChannels.isEmpty()) {
      throw new IllegalArgumentException("encoder_block_out_channels " + encoderBlockOutChannels
          + " and num_encoder_blocks " + numEncoderBlocks + " must be as many, at least one");
    }
    if (decoderBlockOutChannels.size() != numDecoderBlocks.size() || decoderBlockOutChannels.isEmpty()) {
      throw new IllegalArgumentException("decoder_block_out_channels " + decoderBlockOutChannels
          + " and num_decoder_blocks " + numDecoderBlocks + " must be as many, at least one");
    }
    if (encoderBlockOutChannels.stream().distinct().count() != 1 || decoderBlockOutChannels.stream().distinct().count() != 1) {
      throw new IllegalArgumentException("encoder_block_out_channels " + encoderBlockOutChannels + " / "
          + "decoder_block_out_channels " + decoderBlockOutChannels + " must each hold one channel count (diffusers'"
          + " EncoderTiny and DecoderTiny fail on different ones)");
    }
    if (encoderBlockOutChannels.get(0) < 1 || decoderBlockOutChannels.get(0) < 1 || inChannels < 1 || outChannels < 1
        || latentChannels < 1 || upsamplingScalingFactor < 1) {
      throw new IllegalArgumentException("channel counts and upsampling_scaling_factor must be positive");
    }
    for (int n : numEncoderBlocks) {
      if (n < 0) {
        throw new IllegalArgumentException("num_encoder_blocks " + numEncoderBlocks + " has a negative count");
      }
    }
    for (int n : numDecoderBlocks) {
      if (n < 0) {
        throw new IllegalArgumentException("num_decoder_blocks " + numDecoderBlocks + " has a negative count");
      }
    }
  }

  /** How many times the encoder halves the image: 2^(levels - 1). */
  public int downscale() {
    return 1 << (encoderBlockOutChannels.size() - 1);
  }

  /**
   * The config that a diffusers AutoencoderTiny config.json describes.
   *
   * @throws StoreException naming the key for an unknown key, an activation or upsampling mode jdiffusion
   *     does not compute, or inconsistent lists
   */
  public static AutoencoderTinyConfig read(JsonNode json, String file) {
    ConfigKeys r = ConfigKeys.of(json, file, "AutoencoderTiny", KEYS);
    r.oneOf("upsample_fn", "nearest", Set.of("nearest"));
    List<Integer> four = List.of(64, 64, 64, 64);
    try {
      return new AutoencoderTinyConfig(r.integer("in_channels", 3), r.integer("out_channels", 3),
          r.ints("encoder_block_out_channels", four), r.ints("decoder_block_out_channels", four),
          r.oneOf("act_fn", "relu", ACTIVATIONS), r.integer("latent_channels", 4),
          r.integer("upsampling_scaling_factor", 2), r.ints("num_encoder_blocks", List.of(1, 3, 3, 3)),
          r.ints("num_decoder_blocks", List.of(3, 3, 3, 1)), r.number("latent_magnitude", 3),
          r.number("latent_shift", 0.5), r.number("scaling_factor", 1.0), r.number("shift_factor", 0.0),
          r.bool("force_upcast", false));
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
  }
}
