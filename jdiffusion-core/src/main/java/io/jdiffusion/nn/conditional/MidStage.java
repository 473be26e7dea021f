package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.ResBlock;
import org.bytedeco.pytorch.Tensor;

/**
 * The middle block, diffusers' {@code UNetMidBlock2DCrossAttn} with one layer: ResBlock, {@link
 * Transformer2D}, ResBlock, at the lowest resolution (the ResBlocks divide by mid_block_scale_factor).
 *
 * @param first {@code mid_block.resnets.0}
 * @param attention {@code mid_block.attentions.0}
 * @param second {@code mid_block.resnets.1}
 */
record MidStage(ResBlock first, Transformer2D attention, ResBlock second) {

  Tensor forward(Tensor x, Tensor temb, Tensor context, Forward f) {
    Tensor h = first.forward(x, temb, f);
    h = attention.forward(h, context, f);
    return second.forward(h, temb, f);
  }
}
