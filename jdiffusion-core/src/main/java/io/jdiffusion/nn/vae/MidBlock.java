package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.ResBlock;
import io.jdiffusion.nn.SelfAttention;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * The autoencoder's middle block, diffusers' {@code UNetMidBlock2D} as the VAE's Encoder and Decoder
 * build it (unet_2d_blocks.py; temb_channels None, one layer, resnet_eps 1e-6, output_scale_factor 1):
 *
 * <pre>h = resnets.1(attentions.0(resnets.0(x)))</pre>
 *
 * where the attention (optional: mid_block_add_attention) is diffusers' {@code Attention} with a group
 * norm, one head as wide as the block (attention_head_dim = channels) and a residual connection.
 */
final class MidBlock {
  private final ResBlock first;
  private final SelfAttention attention; // null: mid_block_add_attention false
  private final ResBlock second;

  /** @param name prefix, e.g. "encoder.mid_block" */
  MidBlock(Params p, String name, int channels, int groups, boolean attention) {
    this.first = VaeBlocks.resnet(p, name + ".resnets.0", channels, channels, groups);
    this.attention = attention ? new SelfAttention(p, name + ".attentions.0", channels, 1, groups, VaeBlocks.EPS, 1.0)
        : null;
    this.second = VaeBlocks.resnet(p, name + ".resnets.1", channels, channels, groups);
  }

  /** x [B, C, H, W] -> [B, C, H, W]. */
  Tensor forward(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = first.forward(x, null, f);
      if (attention != null) {
        h = attention.forward(h, f);
      }
      return second.forward(h, null, f);
    });
  }
}
