package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Downsample;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.ResBlock;
import java.util.Deque;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One down block of the conditional U-Net: diffusers' {@code CrossAttnDownBlock2D} (ResBlock, then a
 * {@link Transformer2D}, repeated) or {@code DownBlock2D} (ResBlocks only), then a stride-2 convolution
 * except at the lowest resolution. Every ResBlock (or ResBlock + transformer) output and the
 * downsampled map are skips for the up path.
 *
 * @param resnets diffusers' {@code resnets.i}
 * @param attentions diffusers' {@code attentions.i}, one per ResBlock; empty for DownBlock2D
 * @param downsample {@code downsamplers.0}, or null in the last block
 */
record DownStage(List<ResBlock> resnets, List<Transformer2D> attentions, Downsample downsample) {

  /** x [B, C, H, W] -> the block's output; each skip is pushed onto {@code skips}. */
  Tensor forward(Tensor x, Tensor temb, Tensor context, Deque<Tensor> skips, Forward f) {
    Tensor h = x;
    for (int r = 0; r < resnets.size(); r++) {
      h = resnets.get(r).forward(h, temb, f);
      if (!attentions.isEmpty()) {
        h = attentions.get(r).forward(h, context, f);
      }
      skips.push(h);
    }
    if (downsample != null) {
      h = downsample.forward(h, f);
      skips.push(h);
    }
    return h;
  }
}
