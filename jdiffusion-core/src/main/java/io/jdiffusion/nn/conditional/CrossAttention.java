package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.KernelSpec;
import io.jdiffusion.nn.Kernels;
import io.jdiffusion.nn.Linear;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Multi-head attention of a token sequence to itself or to a context (Vaswani et al. 2017, Eq. 1;
 * diffusers' {@code Attention} with {@code AttnProcessor2_0}, as {@code BasicTransformerBlock} builds it:
 * bias-free to_q, to_k, to_v, to_out.0 with bias, no residual, no rescaling, no cross-attention norm):
 *
 * <pre>q = x W_q, k = c W_k, v = c W_v (c = x for self-attention)
 * out = concat_h(softmax(q_h k_h^T / sqrt(d)) v_h) W_o + b_o</pre>
 *
 * The attention itself goes through libtorch's {@code scaled_dot_product_attention} with q, k, v as
 * [B, heads, N, d], always in float32 (diffusers' upcast_attention asks for that; in float32 it changes
 * nothing), so that 4,096 query tokens need no N x N matrix in bf16.
 */
public final class CrossAttention {
  private final Linear toQ;
  private final Linear toK;
  private final Linear toV;
  private final Linear toOut;
  private final int heads;
  private final int headDim;
  private final int contextDim; // width of c: the query width for self-attention

  /**
   * @param name prefix, e.g. "down_blocks.0.attentions.0.transformer_blocks.0.attn2"
   * @param queryDim width of x
   * @param contextDim width of the context c; equal to queryDim for self-attention
   * @param heads number of heads
   * @param headDim channels per head (the inner width is heads x headDim)
   */
  public CrossAttention(Params p, String name, int queryDim, int contextDim, int heads, int headDim) {
    int inner = heads * headDim;
    this.toQ = new Linear(p, name + ".to_q", queryDim, inner, false);
    this.toK = new Linear(p, name + ".to_k", contextDim, inner, false);
    this.toV = new Linear(p, name + ".to_v", contextDim, inner, false);
    this.toOut = new Linear(p, name + ".to_out.0", inner, queryDim);
    this.heads = heads;
    this.headDim = headDim;
    this.contextDim = contextDim;
  }

  /**
   * @param x [B, N, queryDim]
   * @param context [B, M, contextDim], or null for self-attention
   * @return [B, N, queryDim]
   */
  public Tensor forward(Tensor x, Tensor context, Forward f) {
    return Torch.scoped(() -> {
      Tensor c = context == null ? x : context;
      if (c.size(-1) != contextDim) {
        throw new IllegalArgumentException("attention context has width " + c.size(-1) + ", expected " + contextDim);
      }
      long b = x.size(0), n = x.size(1), m = c.size(1);
      Tensor q = toQ.forward(x, f).view(b, n, heads, headDim).transpose(1, 2); // [B, heads, N, d]
      Tensor k = toK.forward(c, f).view(b, m, heads, headDim).transpose(1, 2); // [B, heads, M, d]
      Tensor v = toV.forward(c, f).view(b, m, heads, headDim).transpose(1, 2);
      if (f.precision() != Precision.FP32) {
        q = q.to(ScalarType.Float);
        k = k.to(ScalarType.Float);
        v = v.to(ScalarType.Float);
      }
      if (context == null && q.is_cpu()) { // the self-checks are of the CPU's (square) attention kernels
        Kernels.require(new KernelSpec.AttentionSpec(heads, (int) n, headDim));
      }
      Tensor a = torch.scaled_dot_product_attention(q, k, v).to(f.precision().dtype); // [B, heads, N, d]
      return toOut.forward(a.transpose(1, 2).reshape(b, n, (long) heads * headDim), f);
    });
  }
}
