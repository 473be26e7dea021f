package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Residual block with time injection (Ho et al. 2020, App. B; diffusers' {@code ResnetBlock2D}):
 *
 * <pre>h = conv1(SiLU(GN(x))) + Linear(SiLU(temb))[:, :, None, None]
 * out = skip(x) + conv2(Dropout(SiLU(GN(h))))</pre>
 *
 * where skip is a 1x1 convolution when the channel count changes, else the identity.
 */
public final class ResBlock {
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear timeEmbProj;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d convShortcut; // null when in == out
  private final double dropout;

  public ResBlock(Params p, String name, int in, int out, int tembDim, int groups, double dropout) {
    this.norm1 = new GroupNorm(p, name + ".norm1", groups, in);
    this.conv1 = new Conv2d(p, name + ".conv1", in, out, 3, 1);
    this.timeEmbProj = new Linear(p, name + ".time_emb_proj", tembDim, out);
    this.norm2 = new GroupNorm(p, name + ".norm2", groups, out);
    this.conv2 = new Conv2d(p, name + ".conv2", out, out, 3, 1);
    this.convShortcut = in == out ? null : new Conv2d(p, name + ".conv_shortcut", in, out, 1, 1);
    this.dropout = dropout;
  }

  /** x [B, in, H, W], temb [B, tembDim] -> [B, out, H, W]. */
  public Tensor forward(Tensor x, Tensor temb, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = conv1.forward(torch.silu(norm1.forward(x, f)), f);
      Tensor t = timeEmbProj.forward(torch.silu(temb), f);
      h = h.add(t.unsqueeze(-1).unsqueeze(-1));
      h = torch.silu(norm2.forward(h, f));
      if (dropout > 0 && f.training()) {
        h = torch.dropout(h, dropout, true);
      }
      h = conv2.forward(h, f);
      Tensor skip = convShortcut == null ? x : convShortcut.forward(x, f);
      return skip.add(h);
    });
  }
}
