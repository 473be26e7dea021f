package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.GroupNorm;
import io.jdiffusion.nn.Linear;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The spatial transformer of Stable Diffusion's U-Net (Rombach et al. 2022, Sec. 3.3; diffusers'
 * {@code Transformer2DModel} on continuous input): the feature map as a sequence of HW tokens, through
 * one or more {@link BasicTransformerBlock}s, and back, with a residual connection:
 *
 * <pre>h = proj_in(GN(x))  as [B, HW, C]      (GroupNorm eps 1e-6)
 * h = blocks(h, c)
 * out = x + proj_out(h) as [B, C, H, W]</pre>
 *
 * proj_in and proj_out are 1x1 convolutions (SD 1.x) or, with use_linear_projection (SD 2.x), linear
 * maps applied to the token sequence; the two are the same map with differently shaped weights.
 */
public final class Transformer2D {
  private final GroupNorm norm;
  private final Conv2d convIn;  // null with linear projection
  private final Linear linearIn; // null with convolution projection
  private final List<BasicTransformerBlock> blocks = new ArrayList<>();
  private final Conv2d convOut;
  private final Linear linearOut;
  private final int inner;

  /**
   * @param name prefix, e.g. "down_blocks.0.attentions.1"
   * @param channels channels of the feature map
   * @param heads attention heads; channels / heads per head (must divide)
   * @param layers transformer blocks (diffusers' transformer_layers_per_block)
   * @param contextDim width of the text states (cross_attention_dim)
   * @param groups GroupNorm groups (the U-Net's norm_num_groups)
   * @param linearProjection proj_in/proj_out as Linear (use_linear_projection) instead of 1x1 convolutions
   * @param onlyCross attn1 of every block attends to the text (only_cross_attention)
   */
  public Transformer2D(Params p, String name, int channels, int heads, int layers, int contextDim, int groups,
      boolean linearProjection, boolean onlyCross) {
    if (heads < 1 || channels % heads != 0) {
      throw new IllegalArgumentException(name + ": " + channels + " channels not divisible into " + heads + " heads");
    }
    int headDim = channels / heads;
    this.inner = heads * headDim;
    this.norm = new GroupNorm(p, name + ".norm", groups, channels, 1e-6);
    this.convIn = linearProjection ? null : new Conv2d(p, name + ".proj_in", channels, inner, 1, 1);
    this.linearIn = linearProjection ? new Linear(p, name + ".proj_in", channels, inner) : null;
    for (int i = 0; i < layers; i++) {
      blocks.add(new BasicTransformerBlock(p, name + ".transformer_blocks." + i, inner, heads, headDim, contextDim,
          onlyCross));
    }
    this.convOut = linearProjection ? null : new Conv2d(p, name + ".proj_out", inner, channels, 1, 1);
    this.linearOut = linearProjection ? new Linear(p, name + ".proj_out", inner, channels) : null;
  }

  /** x [B, C, H, W], context [B, M, contextDim] -> [B, C, H, W]. */
  public Tensor forward(Tensor x, Tensor context, Forward f) {
    return Torch.scoped(() -> {
      long[] s = Torch.shape(x);
      long b = s[0], c = s[1], hgt = s[2], wid = s[3];
      Tensor h = norm.forward(x, f);
      if (convIn != null) {
        h = convIn.forward(h, f).permute(0, 2, 3, 1).reshape(b, hgt * wid, inner);
      } else {
        h = linearIn.forward(h.permute(0, 2, 3, 1).reshape(b, hgt * wid, c), f);
      }
      for (BasicTransformerBlock block : blocks) {
        h = block.forward(h, context, f);
      }
      if (convOut != null) {
        h = convOut.forward(h.reshape(b, hgt, wid, inner).permute(0, 3, 1, 2).contiguous(), f);
      } else {
        h = linearOut.forward(h, f).reshape(b, hgt, wid, c).permute(0, 3, 1, 2).contiguous();
      }
      return h.add(x);
    });
  }
}
