package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.LayerNorm;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * One pre-norm transformer layer over the pixels of a feature map, conditioned on text (diffusers'
 * {@code BasicTransformerBlock} with norm_type "layer_norm", GEGLU feed-forward, no attention bias;
 * Rombach et al. 2022, App. E.2):
 *
 * <pre>x = x + attn1(LN1(x))            self-attention (with only_cross_attention: attention to c)
 * x = x + attn2(LN2(x), c)         cross-attention to the text c
 * x = x + FF(LN3(x))</pre>
 */
public final class BasicTransformerBlock {
  private final LayerNorm norm1;
  private final CrossAttention attn1;
  private final LayerNorm norm2;
  private final CrossAttention attn2;
  private final LayerNorm norm3;
  private final FeedForward ff;
  private final boolean onlyCross;

  /**
   * @param name prefix, e.g. "down_blocks.0.attentions.0.transformer_blocks.0"
   * @param dim token width (heads x headDim)
   * @param contextDim width of the text states (diffusers' cross_attention_dim)
   * @param onlyCross attn1 attends to the text too (diffusers' only_cross_attention)
   */
  public BasicTransformerBlock(Params p, String name, int dim, int heads, int headDim, int contextDim,
      boolean onlyCross) {
    double eps = 1e-5; // diffusers' norm_eps default, which Transformer2DModel does not change in a UNet
    this.norm1 = new LayerNorm(p, name + ".norm1", dim, eps);
    this.attn1 = new CrossAttention(p, name + ".attn1", dim, onlyCross ? contextDim : dim, heads, headDim);
    this.norm2 = new LayerNorm(p, name + ".norm2", dim, eps);
    this.attn2 = new CrossAttention(p, name + ".attn2", dim, contextDim, heads, headDim);
    this.norm3 = new LayerNorm(p, name + ".norm3", dim, eps);
    this.ff = new FeedForward(p, name + ".ff", dim);
    this.onlyCross = onlyCross;
  }

  /** x [B, N, dim], context [B, M, contextDim] -> [B, N, dim]. */
  public Tensor forward(Tensor x, Tensor context, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = x.add(attn1.forward(norm1.forward(x, f), onlyCross ? context : null, f));
      h = h.add(attn2.forward(norm2.forward(h, f), context, f));
      return h.add(ff.forward(norm3.forward(h, f), f));
    });
  }
}
