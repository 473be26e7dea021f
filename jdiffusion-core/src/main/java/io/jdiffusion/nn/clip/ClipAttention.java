package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.KernelSpec;
import io.jdiffusion.nn.Kernels;
import io.jdiffusion.nn.Linear;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Causal multi-head self-attention over the tokens (transformers' {@code CLIPAttention} as
 * {@code CLIPTextTransformer} calls it, with the causal mask):
 *
 * <pre>q, k, v = x W_q + b_q, x W_k + b_k, x W_v + b_v   (split into heads of d = hidden / heads)
 * out = softmax(q k^T / sqrt(d) + M) v W_o + b_o,   M[i][j] = -inf for j &gt; i</pre>
 *
 * through libtorch's {@code scaled_dot_product_attention} with {@code is_causal}. As in
 * {@link io.jdiffusion.nn.SelfAttention}, the attention itself runs in float32 whatever the precision.
 */
final class ClipAttention {
  private final Linear kProj;
  private final Linear vProj;
  private final Linear qProj;
  private final Linear outProj;
  private final int heads;

  ClipAttention(Params p, String name, ClipTextConfig c) {
    int w = c.hiddenSize();
    // transformers' creation order: k, v, q, out
    this.kProj = new Linear(p, name + ".k_proj", w, w);
    this.vProj = new Linear(p, name + ".v_proj", w, w);
    this.qProj = new Linear(p, name + ".q_proj", w, w);
    this.outProj = new Linear(p, name + ".out_proj", w, w);
    this.heads = c.numAttentionHeads();
  }

  /** x [B, L, hidden] in the forward's precision -> [B, L, hidden] in the same precision. */
  Tensor forward(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      long[] s = Torch.shape(x);
      long b = s[0], n = s[1], c = s[2], d = c / heads;
      Tensor q = qProj.forward(x, f).view(b, n, heads, d).transpose(1, 2); // [B, heads, L, d]
      Tensor k = kProj.forward(x, f).view(b, n, heads, d).transpose(1, 2);
      Tensor v = vProj.forward(x, f).view(b, n, heads, d).transpose(1, 2);
      if (f.precision() != Precision.FP32) {
        q = q.to(ScalarType.Float);
        k = k.to(ScalarType.Float);
        v = v.to(ScalarType.Float);
      }
      if (q.is_cpu()) { // the self-checks are of the CPU's kernels
        Kernels.require(new KernelSpec.AttentionSpec(heads, (int) n, (int) d));
      }
      Tensor a = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, true, new DoubleOptional(),
          false).to(f.precision().dtype); // [B, heads, L, d]
      return outProj.forward(a.transpose(1, 2).reshape(b, n, c), f);
    });
  }
}
