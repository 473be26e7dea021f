package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.GroupNorm;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.ResBlock;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' VAE {@code Decoder} (autoencoders/vae.py, norm_type "group") with {@code UpDecoderBlock2D}
 * levels (unet_2d_blocks.py), the channels of the encoder in reverse:
 *
 * <pre>h = mid_block(conv_in(z))
 * per level j: h = resnets(h) (layers_per_block + 1 of them); h = Upsample2D(h) (nearest x2 + 3x3 conv, not at the last level)
 * image = conv_out(SiLU(GN(h)))</pre>
 */
final class VaeDecoder {
  private final List<VaeBlocks.Layer> layers = new ArrayList<>();

  VaeDecoder(Params p, AutoencoderKLConfig c) {
    List<Integer> ch = c.blockOutChannels();
    int g = c.normNumGroups();
    int levels = ch.size();
    int in = ch.get(levels - 1);
    Conv2d convIn = new Conv2d(p, "decoder.conv_in", c.latentChannels(), in, 3, 1);
    layers.add(convIn::forward);
    MidBlock mid = new MidBlock(p, "decoder.mid_block", in, g, c.midBlockAddAttention());
    layers.add(mid::forward);
    for (int j = 0; j < levels; j++) {
      String name = "decoder.up_blocks." + j;
      int out = ch.get(levels - 1 - j);
      for (int r = 0; r <= c.layersPerBlock(); r++) {
        ResBlock res = VaeBlocks.resnet(p, name + ".resnets." + r, r == 0 ? in : out, out, g);
        layers.add((x, f) -> res.forward(x, null, f));
      }
      if (j < levels - 1) {
        VaeBlocks.Upsample up = new VaeBlocks.Upsample(p, name + ".upsamplers.0", out);
        layers.add(up::forward);
      }
      in = out;
    }
    GroupNorm normOut = new GroupNorm(p, "decoder.conv_norm_out", g, in, VaeBlocks.EPS);
    Conv2d convOut = new Conv2d(p, "decoder.conv_out", in, c.outChannels(), 3, 1);
    layers.add((x, f) -> convOut.forward(torch.silu(normOut.forward(x, f)), f));
  }

  /** z [B, latent, h, w] in the activation precision -> image [B, out, h 2^(levels-1), w 2^(levels-1)]. */
  Tensor forward(Tensor z, Forward f) {
    return VaeBlocks.sequential(layers, z, f);
  }
}
