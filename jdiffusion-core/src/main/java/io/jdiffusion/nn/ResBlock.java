package io.jdiffusion.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Residual block with time injection (Ho et al. 2020, App. B; diffusers' {@code ResnetBlock2D}):
 *
 * <pre>h = conv1(SiLU(GN(x))) + Linear(SiLU(temb))[:, :, None, None]
 * out = (skip(x) + conv2(Dropout(SiLU(GN(h))))) / outputScale</pre>
 *
 * where skip is a 1x1 convolution when the channel count changes, else the identity. With
 * {@code scaleShift} (diffusers' resnet_time_scale_shift "scale_shift"; Dhariwal &amp; Nichol 2021's
 * adaptive group norm) the projection is twice as wide and conditions the second norm instead:
 * {@code GN(h) (1 + scale) + shift}.
 */
public final class ResBlock {
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear timeEmbProj;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d convShortcut; // null when in == out
  private final double dropout;
  private final boolean scaleShift;
  private final double outputScale;

  /** The DDPM block: GroupNorm epsilon 1e-5, time added, no output scale. */
  public ResBlock(Params p, String name, int in, int out, int tembDim, int groups, double dropout) {
    this(p, name, in, out, tembDim, groups, dropout, 1e-5, false, 1.0);
  }

  /**
   * @param tembDim width of the time embedding; 0: none (diffusers' temb_channels=None, as in the
   *     autoencoder's blocks), and {@link #forward} takes a null temb
   * @param eps GroupNorm epsilon (diffusers' resnet_eps)
   * @param scaleShift time embedding as scale and shift of the second norm
   * @param outputScale the residual sum is divided by it (diffusers' output_scale_factor)
   */
  public ResBlock(Params p, String name, int in, int out, int tembDim, int groups, double dropout, double eps,
      boolean scaleShift, double outputScale) {
    this.norm1 = new GroupNorm(p, name + ".norm1", groups, in, eps);
    this.conv1 = new Conv2d(p, name + ".conv1", in, out, 3, 1);
    this.timeEmbProj = tembDim > 0 ? new Linear(p, name + ".time_emb_proj", tembDim, scaleShift ? 2 * out : out) : null;
    this.norm2 = new GroupNorm(p, name + ".norm2", groups, out, eps);
    this.conv2 = new Conv2d(p, name + ".conv2", out, out, 3, 1);
    this.convShortcut = in == out ? null : new Conv2d(p, name + ".conv_shortcut", in, out, 1, 1);
    this.dropout = dropout;
    this.scaleShift = scaleShift;
    this.outputScale = outputScale;
  }

  /** x [B, in, H, W], temb [B, tembDim] (null when built with tembDim 0) -> [B, out, H, W]. */
  public Tensor forward(Tensor x, Tensor temb, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = conv1.forward(torch.silu(norm1.forward(x, f)), f);
      if (timeEmbProj == null) {
        h = norm2.forward(h, f);
      } else if (scaleShift) {
        Tensor t = timeEmbProj.forward(torch.silu(temb), f).unsqueeze(-1).unsqueeze(-1);
        TensorVector parts = torch.chunk(t, 2, 1);
        h = norm2.forward(h, f).mul(parts.get(0).add(Torch.s(1))).add(parts.get(1));
      } else {
        Tensor t = timeEmbProj.forward(torch.silu(temb), f).unsqueeze(-1).unsqueeze(-1);
        h = norm2.forward(h.add(t), f);
      }
      h = torch.silu(h);
      if (dropout > 0 && f.training()) {
        h = torch.dropout(h, dropout, true);
      }
      h = conv2.forward(h, f);
      Tensor skip = convShortcut == null ? x : convShortcut.forward(x, f);
      Tensor sum = skip.add(h);
      return outputScale == 1.0 ? sum : sum.div(Torch.s(outputScale));
    });
  }
}
