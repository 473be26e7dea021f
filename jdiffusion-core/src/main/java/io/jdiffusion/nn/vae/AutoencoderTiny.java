package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The tiny autoencoder TAESD (Bohan Ollin Boer), diffusers' {@code AutoencoderTiny}
 * (models/autoencoders/autoencoder_tiny.py, EncoderTiny / DecoderTiny in vae.py): a fast, approximate
 * stand-in for an AutoencoderKL with the same latent space; convolutions and {@link TinyBlock}s only.
 *
 * <pre>encode: latents = layers((x + 1) / 2)                         (level i &gt; 0 starts with a stride-2 conv, no bias)
 * decode: x = 2 layers(3 tanh(z / 3)) - 1                          (levels joined by nearest upsampling + conv, no bias)</pre>
 *
 * Parameters carry diffusers' names ({@code encoder.layers.K.conv.0.weight}, K counting every module of
 * diffusers' nn.Sequential, activations and upsamplers included). Not tiled. Inference only; outputs float32.
 */
public final class AutoencoderTiny implements LatentDecoder {
  private final AutoencoderTinyConfig config;
  private final Params params = new Params();
  private final List<VaeBlocks.Layer> encoder = new ArrayList<>();
  private final List<VaeBlocks.Layer> decoder = new ArrayList<>();

  /** Builds the network with PyTorch's default initialisation. */
  public AutoencoderTiny(AutoencoderTinyConfig c) {
    Torch.init();
    this.config = c;
    boolean silu = !c.activation().equals("relu");
    int k = 0;
    List<Integer> enc = c.encoderBlockOutChannels();
    for (int i = 0; i < enc.size(); i++) {
      int ch = enc.get(i);
      Conv2d conv = i == 0 ? new Conv2d(params, "encoder.layers." + k, c.inChannels(), ch, 3, 1)
          : new Conv2d(params, "encoder.layers." + k, ch, ch, 3, 2, 1, false);
      encoder.add(conv::forward);
      k++;
      for (int b = 0; b < c.numEncoderBlocks().get(i); b++) {
        TinyBlock block = new TinyBlock(params, "encoder.layers." + k++, ch, c.activation());
        encoder.add(block::forward);
      }
    }
    Conv2d encOut = new Conv2d(params, "encoder.layers." + k, enc.get(enc.size() - 1), c.latentChannels(), 3, 1);
    encoder.add(encOut::forward);

    List<Integer> dec = c.decoderBlockOutChannels();
    Conv2d decIn = new Conv2d(params, "decoder.layers.0", c.latentChannels(), dec.get(0), 3, 1);
    decoder.add((x, f) -> TinyBlock.activate(decIn.forward(x, f), silu)); // layers.1 is the activation
    k = 2;
    for (int i = 0; i < dec.size(); i++) {
      boolean last = i == dec.size() - 1;
      int ch = dec.get(i);
      for (int b = 0; b < c.numDecoderBlocks().get(i); b++) {
        TinyBlock block = new TinyBlock(params, "decoder.layers." + k++, ch, c.activation());
        decoder.add(block::forward);
      }
      int factor = c.upsamplingScalingFactor();
      if (!last) {
        decoder.add((x, f) -> VaeBlocks.nearest(x, factor));
        k++;
      }
      Conv2d conv = new Conv2d(params, "decoder.layers." + k++, ch, last ? c.outChannels() : ch, 3, 1, 1, last);
      decoder.add(conv::forward);
    }
  }

  /** Loads a diffusers AutoencoderTiny folder (config.json and the weights, or their fp16 / bf16 variant). */
  public static AutoencoderTiny load(Path dir) {
    return load(dir, null);
  }

  /** {@link #load(Path)} of one weights variant ("fp16", "bf16"; null: float32 first). */
  public static AutoencoderTiny load(Path dir, String variant) {
    AutoencoderTinyConfig c = AutoencoderTinyConfig.read(VaeFolder.config(dir), dir.resolve("config.json").toString());
    Path weights = VaeFolder.weightsFile(dir, variant);
    AutoencoderTiny vae = new AutoencoderTiny(c);
    try {
      VaeFolder.load(weights, vae.params.all());
    } catch (RuntimeException e) {
      vae.close();
      throw e;
    }
    return vae;
  }

  @Override
  public int downscale() {
    return config.downscale();
  }

  public AutoencoderTinyConfig config() {
    return config;
  }

  /** Parameters by diffusers' state-dict name. */
  public Map<String, Tensor> parameters() {
    return params.all();
  }

  /**
   * Latents [B, latent, H / 2^(levels-1), W / 2^(levels-1)] of images x [B, in, H, W] in [-1, 1]
   * (diffusers' {@code encode(x).latents}: raw, not scaled by scaling_factor).
   */
  public Tensor encode(Tensor x, Forward f) {
    AutoencoderKL.checkImage(x, config.inChannels(), "image");
    try (NoGradGuard ng = new NoGradGuard()) {
      return Torch.scoped(() -> {
        Tensor in = x.add(Torch.s(1)).div(Torch.s(2)).to(f.precision().dtype);
        return VaeBlocks.sequential(encoder, in, f).to(ScalarType.Float);
      });
    }
  }

  /** Images in about [-1, 1] from raw latents z (diffusers' {@code decode(z).sample}); float32. */
  @Override
  public Tensor decode(Tensor z, Forward f) {
    AutoencoderKL.checkImage(z, config.latentChannels(), "latents");
    try (NoGradGuard ng = new NoGradGuard()) {
      return Torch.scoped(() -> {
        Tensor in = torch.tanh(z.div(Torch.s(3))).mul(Torch.s(3)).to(f.precision().dtype);
        Tensor out = VaeBlocks.sequential(decoder, in, f).to(ScalarType.Float);
        return out.mul(Torch.s(2)).sub(Torch.s(1));
      });
    }
  }

  /** latents * scaling_factor after subtracting shift_factor (1 and 0 for TAESD: the identity). */
  public Tensor scale(Tensor z) {
    return Torch.scoped(() -> z.sub(Torch.s(config.shiftFactor())).mul(Torch.s(config.scalingFactor())));
  }

  /** The inverse of {@link #scale}. */
  @Override
  public Tensor unscale(Tensor latents) {
    return Torch.scoped(() -> latents.div(Torch.s(config.scalingFactor())).add(Torch.s(config.shiftFactor())));
  }

  @Override
  public void close() {
    params.free();
  }
}
