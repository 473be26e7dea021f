package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code AutoencoderTinyBlock} (unet_2d_blocks.py) with as many channels in as out (the only
 * way EncoderTiny and DecoderTiny build it, so the skip is the identity):
 *
 * <pre>out = ReLU(conv.4(act(conv.2(act(conv.0(x))))) + x)</pre>
 */
final class TinyBlock {
  private final Conv2d conv0;
  private final Conv2d conv2;
  private final Conv2d conv4;
  private final boolean silu;

  /** @param name prefix, e.g. "encoder.layers.1" */
  TinyBlock(Params p, String name, int channels, String activation) {
    this.conv0 = new Conv2d(p, name + ".conv.0", channels, channels, 3, 1);
    this.conv2 = new Conv2d(p, name + ".conv.2", channels, channels, 3, 1);
    this.conv4 = new Conv2d(p, name + ".conv.4", channels, channels, 3, 1);
    this.silu = !activation.equals("relu");
  }

  /** The activation act_fn names (diffusers' get_activation): ReLU, or SiLU for "silu"/"swish". */
  static Tensor activate(Tensor x, boolean silu) {
    return silu ? torch.silu(x) : torch.relu(x);
  }

  Tensor forward(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = activate(conv0.forward(x, f), silu);
      h = activate(conv2.forward(h, f), silu);
      return torch.relu(conv4.forward(h, f).add(x));
    });
  }
}
