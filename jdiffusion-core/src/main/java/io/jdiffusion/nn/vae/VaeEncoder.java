package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Downsample;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.GroupNorm;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.ResBlock;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' VAE {@code Encoder} (autoencoders/vae.py, double_z=True) with {@code DownEncoderBlock2D}
 * levels (unet_2d_blocks.py):
 *
 * <pre>h = conv_in(x)
 * per level i: h = resnets(h); h = Downsample2D(h) (stride-2 3x3 conv after padding right/bottom, not at the last level)
 * h = mid_block(h)
 * moments = conv_out(SiLU(GN(h)))        [B, 2 latent_channels, H / 2^(levels-1), W / 2^(levels-1)]</pre>
 */
final class VaeEncoder {
  private final List<VaeBlocks.Layer> layers = new ArrayList<>();

  VaeEncoder(Params p, AutoencoderKLConfig c) {
    List<Integer> ch = c.blockOutChannels();
    int g = c.normNumGroups();
    Conv2d convIn = new Conv2d(p, "encoder.conv_in", c.inChannels(), ch.get(0), 3, 1);
    layers.add(convIn::forward);
    int in = ch.get(0);
    for (int i = 0; i < ch.size(); i++) {
      String name = "encoder.down_blocks." + i;
      int out = ch.get(i);
      for (int r = 0; r < c.layersPerBlock(); r++) {
        ResBlock res = VaeBlocks.resnet(p, name + ".resnets." + r, r == 0 ? in : out, out, g);
        layers.add((x, f) -> res.forward(x, null, f));
      }
      if (i < ch.size() - 1) {
        Downsample down = new Downsample(p, name + ".downsamplers.0", out, 0); // diffusers' Encoder: padding 0
        layers.add(down::forward);
      }
      in = out;
    }
    MidBlock mid = new MidBlock(p, "encoder.mid_block", in, g, c.midBlockAddAttention());
    layers.add(mid::forward);
    GroupNorm normOut = new GroupNorm(p, "encoder.conv_norm_out", g, in, VaeBlocks.EPS);
    Conv2d convOut = new Conv2d(p, "encoder.conv_out", in, 2 * c.latentChannels(), 3, 1);
    layers.add((x, f) -> convOut.forward(torch.silu(normOut.forward(x, f)), f));
  }

  /** x [B, in, H, W] in the activation precision -> moments [B, 2 latent, h, w]. */
  Tensor forward(Tensor x, Forward f) {
    return VaeBlocks.sequential(layers, x, f);
  }
}
