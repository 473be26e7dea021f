package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.ResBlock;
import io.jdiffusion.nn.Torch;
import java.util.Deque;
import java.util.List;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One up block of the conditional U-Net: diffusers' {@code CrossAttnUpBlock2D} or {@code UpBlock2D}.
 * Each ResBlock takes the running map concatenated (on channels) with the latest skip, optionally followed by a
 * {@link Transformer2D}; then, except in the last block, nearest-neighbour upsampling to the next skip's
 * size and a 3x3 convolution ({@code Upsample2D} with use_conv; diffusers passes the skip's size as
 * upsample_size when a latent side is not a multiple of 2^levels, else doubles, which is the same map).
 *
 * @param resnets {@code resnets.i}
 * @param attentions {@code attentions.i}, one per ResBlock; empty for UpBlock2D
 * @param upsample {@code upsamplers.0.conv}, or null in the last block
 */
record UpStage(List<ResBlock> resnets, List<Transformer2D> attentions, Conv2d upsample) {

  /** x -> the block's output, popping one skip per ResBlock from {@code skips}. */
  Tensor forward(Tensor x, Tensor temb, Tensor context, Deque<Tensor> skips, Forward f) {
    Tensor h = x;
    for (int r = 0; r < resnets.size(); r++) {
      Tensor skip = skips.pop();
      h = resnets.get(r).forward(torch.cat(new TensorVector(h, skip), 1), temb, f);
      if (!attentions.isEmpty()) {
        h = attentions.get(r).forward(h, context, f);
      }
    }
    if (upsample != null) {
      long[] target = Torch.shape(skips.peek());
      Tensor in = h;
      h = Torch.scoped(() -> upsample.forward(torch.upsample_nearest2d(in, new long[] {target[2], target[3]},
          new DoubleOptional(), new DoubleOptional()), f));
    }
    return h;
  }
}
