package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.LayerNorm;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * One pre-LN transformer layer (transformers' {@code CLIPEncoderLayer}; Radford et al. 2021 after
 * GPT-2's placement of the norms):
 *
 * <pre>h = x + attn(LN1(x));   out = h + mlp(LN2(h))</pre>
 *
 * The residual stream stays float32; in bf16 only the attention's and MLP's linear maps run in bf16.
 */
final class ClipEncoderLayer {
  private final LayerNorm layerNorm1;
  private final ClipAttention selfAttn;
  private final LayerNorm layerNorm2;
  private final ClipMlp mlp;

  ClipEncoderLayer(Params p, String name, ClipTextConfig c) {
    // transformers' creation order: self_attn, layer_norm1, mlp, layer_norm2
    this.selfAttn = new ClipAttention(p, name + ".self_attn", c);
    this.layerNorm1 = new LayerNorm(p, name + ".layer_norm1", c.hiddenSize(), c.layerNormEps());
    this.mlp = new ClipMlp(p, name + ".mlp", c);
    this.layerNorm2 = new LayerNorm(p, name + ".layer_norm2", c.hiddenSize(), c.layerNormEps());
  }

  /** x float32 [B, L, hidden] -> float32 [B, L, hidden]. */
  Tensor forward(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = x.add(selfAttn.forward(layerNorm1.forward(x).to(f.precision().dtype), f));
      return h.add(mlp.forward(layerNorm2.forward(h).to(f.precision().dtype), f));
    });
  }
}
