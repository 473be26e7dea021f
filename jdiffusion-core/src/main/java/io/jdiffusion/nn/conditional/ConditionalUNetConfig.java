package io.jdiffusion.nn.conditional;

import java.util.List;

/**
 * The shape of a text-conditioned U-Net, one field per option of diffusers' {@code
 * UNet2DConditionModel} that jdiffusion computes. Per-level lists are indexed by level in down order
 * (level 0 = full resolution); the up block at index j serves level L-1-j and takes that level's values,
 * as diffusers' reversed lists do.
 *
 * @param inChannels latent channels in (4; 9 for inpainting)
 * @param outChannels channels out
 * @param blockOutChannels channels per level (block_out_channels)
 * @param downCrossAttention per level: CrossAttnDownBlock2D (true) or DownBlock2D (down_block_types)
 * @param upCrossAttention per up block, in up order: CrossAttnUpBlock2D or UpBlock2D (up_block_types)
 * @param layersPerBlock ResBlocks per down block, per level; an up block has one more (layers_per_block)
 * @param transformerLayers transformer blocks per attention, per level (transformer_layers_per_block)
 * @param heads attention heads per level: diffusers' attention_head_dim, which UNet2DConditionModel
 *     uses as the head count ({@code num_attention_heads = num_attention_heads or attention_head_dim})
 * @param crossAttentionDim width of the text states (cross_attention_dim)
 * @param onlyCrossAttention per level: attn1 attends to the text (only_cross_attention)
 * @param midBlock UNetMidBlock2DCrossAttn (true) or none (mid_block_type null)
 * @param linearProjection proj_in/proj_out as Linear (use_linear_projection)
 * @param upcastAttention diffusers' upcast_attention: the attention runs in float32 either way here
 * @param groups GroupNorm groups (norm_num_groups)
 * @param normEps ResBlock and output GroupNorm epsilon (norm_eps)
 * @param flipSinToCos cos before sin in the time sinusoids (flip_sin_to_cos)
 * @param freqShift frequency shift of the sinusoids (freq_shift)
 * @param timeEmbedDim width of the time embedding (time_embedding_dim, else 4 x blockOutChannels[0])
 * @param downsamplePadding 1: symmetric; 0: right and bottom only (downsample_padding)
 * @param midBlockScaleFactor the middle ResBlocks' output divisor (mid_block_scale_factor)
 * @param centerInputSample the sample is mapped by 2x - 1 first (center_input_sample)
 */
public record ConditionalUNetConfig(
    int inChannels,
    int outChannels,
    List<Integer> blockOutChannels,
    List<Boolean> downCrossAttention,
    List<Boolean> upCrossAttention,
    List<Integer> layersPerBlock,
    List<Integer> transformerLayers,
    List<Integer> heads,
    int crossAttentionDim,
    List<Boolean> onlyCrossAttention,
    boolean midBlock,
    boolean linearProjection,
    boolean upcastAttention,
    int groups,
    double normEps,
    boolean flipSinToCos,
    int freqShift,
    int timeEmbedDim,
    int downsamplePadding,
    double midBlockScaleFactor,
    boolean centerInputSample) {

  /** Checks that the fields describe one buildable network; messages name the diffusers key. */
  public ConditionalUNetConfig {
    blockOutChannels = List.copyOf(blockOutChannels);
    downCrossAttention = List.copyOf(downCrossAttention);
    upCrossAttention = List.copyOf(upCrossAttention);
    layersPerBlock = List.copyOf(layersPerBlock);
    transformerLayers = List.copyOf(transformerLayers);
    heads = List.copyOf(heads);
    onlyCrossAttention = List.copyOf(onlyCrossAttention);
    int levels = blockOutChannels.size();
    if (levels < 1) {
      throw new IllegalArgumentException("block_out_channels is empty");
    }
    same(levels, downCrossAttention.size(), "down_block_types");
    same(levels, upCrossAttention.size(), "up_block_types");
    same(levels, layersPerBlock.size(), "layers_per_block");
    same(levels, transformerLayers.size(), "transformer_layers_per_block");
    same(levels, heads.size(), "attention_head_dim");
    same(levels, onlyCrossAttention.size(), "only_cross_attention");
    positive(inChannels, "in_channels");
    positive(outChannels, "out_channels");
    positive(crossAttentionDim, "cross_attention_dim");
    positive(groups, "norm_num_groups");
    positive(timeEmbedDim, "time_embedding_dim");
    for (int i = 0; i < levels; i++) {
      int c = blockOutChannels.get(i);
      positive(c, "block_out_channels");
      if (c % groups != 0) {
        throw new IllegalArgumentException("block_out_channels " + c + " is not divisible into norm_num_groups "
            + groups);
      }
      if (layersPerBlock.get(i) < 1) {
        throw new IllegalArgumentException("layers_per_block must be >= 1, got " + layersPerBlock.get(i));
      }
      if (transformerLayers.get(i) < 1) {
        throw new IllegalArgumentException("transformer_layers_per_block must be >= 1, got " + transformerLayers.get(i));
      }
      boolean attends = downCrossAttention.get(i) || upCrossAttention.get(levels - 1 - i)
          || (midBlock && i == levels - 1);
      if (attends && (heads.get(i) < 1 || c % heads.get(i) != 0)) {
        throw new IllegalArgumentException("attention_head_dim (the head count) " + heads.get(i) + " does not divide "
            + c + " channels at level " + i);
      }
    }
    if (downsamplePadding != 0 && downsamplePadding != 1) {
      throw new IllegalArgumentException("downsample_padding must be 0 or 1, got " + downsamplePadding);
    }
    if (!(normEps > 0) || !(midBlockScaleFactor > 0)) {
      throw new IllegalArgumentException("norm_eps and mid_block_scale_factor must be positive");
    }
    if (blockOutChannels.get(0) % 2 != 0 || freqShift < 0 || freqShift >= blockOutChannels.get(0) / 2) {
      throw new IllegalArgumentException("freq_shift " + freqShift + " out of range for " + blockOutChannels.get(0)
          + " sinusoid channels");
    }
  }

  /** Number of resolution levels. */
  public int levels() {
    return blockOutChannels.size();
  }

  private static void same(int levels, int n, String key) {
    if (n != levels) {
      throw new IllegalArgumentException(key + " has " + n + " entries for " + levels + " block_out_channels");
    }
  }

  private static void positive(int v, String key) {
    if (v < 1) {
      throw new IllegalArgumentException(key + " must be positive, got " + v);
    }
  }
}
