package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.StoreException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The variational autoencoder of latent diffusion (Rombach et al. 2022, Sec. 3), diffusers'
 * {@code AutoencoderKL} (models/autoencoders/autoencoder_kl.py): images in [-1, 1] to a diagonal
 * Gaussian over latents 2^(levels-1) times smaller, and latents back to images.
 *
 * <pre>encode: moments = quant_conv(Encoder(x));  q(z | x) = N(mean, exp(logvar))   (logvar clamped to [-30, 20])
 * decode: x = Decoder(post_quant_conv(z))                                          (no clamp: about [-1, 1])</pre>
 *
 * <p>Parameters carry diffusers' state-dict names ({@code encoder.down_blocks.0.resnets.0.conv1.weight},
 * {@code quant_conv.weight}, ...), so a diffusers {@code vae/} folder loads with no renaming ({@link #load}).
 * Inference only: {@link #encode} and {@link #decode} run without autograd, in the precision of the
 * {@link Forward} (fp32, or bf16 activations with float32 master weights; outputs are float32).
 *
 * <p>A pipeline calls {@code decode(unscale(latents), f)} (or with a {@link Tiling} for large images) and
 * {@code scale(encode(image, f).sample(noise))}.
 */
public final class AutoencoderKL implements LatentDecoder {
  private final AutoencoderKLConfig config;
  private final Params params = new Params();
  private final VaeEncoder encoder;
  private final VaeDecoder decoder;
  private final Conv2d quantConv; // null: use_quant_conv false
  private final Conv2d postQuantConv; // null: use_post_quant_conv false

  /** Builds the network with PyTorch's default initialisation (drawn from libtorch's global generator). */
  public AutoencoderKL(AutoencoderKLConfig c) {
    Torch.init();
    this.config = c;
    int latent = c.latentChannels();
    this.encoder = new VaeEncoder(params, c);
    this.decoder = new VaeDecoder(params, c);
    this.quantConv = c.useQuantConv() ? new Conv2d(params, "quant_conv", 2 * latent, 2 * latent, 1, 1) : null;
    this.postQuantConv = c.usePostQuantConv() ? new Conv2d(params, "post_quant_conv", latent, latent, 1, 1) : null;
  }

  /**
   * Loads a diffusers AutoencoderKL folder (a pipeline's {@code vae/}): config.json and
   * diffusion_pytorch_model.safetensors, or else its fp16 / bf16 variant.
   *
   * @throws StoreException naming the file and the key or tensor when the folder is not one
   */
  public static AutoencoderKL load(Path dir) {
    return load(dir, null);
  }

  /** Whether {@code dir} holds the weights of {@code variant} ("fp16", "bf16"). */
  public static boolean hasVariant(Path dir, String variant) {
    return java.nio.file.Files.isRegularFile(dir.resolve(VaeFolder.WEIGHTS + "." + variant + ".safetensors"));
  }

  /** {@link #load(Path)} of one weights variant ("fp16", "bf16"; null: float32 first, then fp16, then bf16). */
  public static AutoencoderKL load(Path dir, String variant) {
    AutoencoderKLConfig c = AutoencoderKLConfig.read(VaeFolder.config(dir), dir.resolve("config.json").toString());
    Path weights = VaeFolder.weightsFile(dir, variant);
    AutoencoderKL vae = new AutoencoderKL(c);
    try {
      VaeFolder.load(weights, vae.params.all());
    } catch (RuntimeException e) {
      vae.close();
      throw e;
    }
    return vae;
  }

  public AutoencoderKLConfig config() {
    return config;
  }

  /** Parameters by diffusers' state-dict name. */
  public Map<String, Tensor> parameters() {
    return params.all();
  }

  public long parameterCount() {
    return params.count();
  }

  @Override
  public int downscale() {
    return config.downscale();
  }

  /** diffusers' tiles after {@code enable_tiling()} ({@link Tiling#defaults}). */
  public Tiling defaultTiling() {
    return Tiling.defaults(config);
  }

  /**
   * The posterior q(z | x) of images x [B, in_channels, H, W] in [-1, 1] (diffusers'
   * {@code encode(x).latent_dist}); H and W multiples of 2^(levels - 1) give exact latent sizes.
   */
  public LatentDistribution encode(Tensor x, Forward f) {
    return encode(x, f, null);
  }

  /**
   * {@link #encode(Tensor, Forward)} in tiles when the image is larger than {@code tiling}'s sample tile
   * (diffusers' {@code _tiled_encode} after {@code enable_tiling()}); null: never tiled.
   */
  public LatentDistribution encode(Tensor x, Forward f, Tiling tiling) {
    checkImage(x, config.inChannels(), "image");
    PointerScope outer = PointerScope.getInnerScope();
    try (NoGradGuard ng = new NoGradGuard(); PointerScope inner = new PointerScope()) {
      Tensor in = x.to(f.precision().dtype);
      Tensor moments = tiling != null && (x.size(2) > tiling.sampleTile() || x.size(3) > tiling.sampleTile())
          ? tiling.encode(in, t -> moments(t, f)) : moments(in, f);
      return new LatentDistribution(moments.to(ScalarType.Float)).keepIn(outer); // mean, logvar, std only
    }
  }

  private Tensor moments(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = encoder.forward(x, f);
      return quantConv == null ? h : quantConv.forward(h, f);
    });
  }

  /**
   * Images [B, out_channels, 2^(levels-1) h, 2^(levels-1) w] from raw (unscaled) latents z
   * [B, latent_channels, h, w], diffusers' {@code decode(z).sample}: float32, about [-1, 1], not clamped.
   */
  @Override
  public Tensor decode(Tensor z, Forward f) {
    return decode(z, f, null);
  }

  /**
   * {@link #decode(Tensor, Forward)} in tiles when z is larger than {@code tiling}'s latent tile
   * (diffusers' {@code tiled_decode} after {@code enable_tiling()}); null: never tiled.
   */
  public Tensor decode(Tensor z, Forward f, Tiling tiling) {
    checkImage(z, config.latentChannels(), "latents");
    try (NoGradGuard ng = new NoGradGuard()) {
      return Torch.scoped(() -> {
        Tensor in = z.to(f.precision().dtype);
        if (tiling != null && (z.size(2) > tiling.latentTile() || z.size(3) > tiling.latentTile())) {
          return tiling.decode(in, t -> image(t, f)).to(ScalarType.Float);
        }
        return image(in, f).to(ScalarType.Float);
      });
    }
  }

  private Tensor image(Tensor z, Forward f) {
    return Torch.scoped(() -> decoder.forward(postQuantConv == null ? z : postQuantConv.forward(z, f), f));
  }

  /**
   * Latents as a diffusion model sees them: (z - shift_factor) * scaling_factor (Rombach et al. Sec.
   * 4.3.2; the shift only where the config has one, as diffusers' SD3 and Flux pipelines do).
   */
  public Tensor scale(Tensor z) {
    return Torch.scoped(() -> {
      Tensor shifted = config.shiftFactor() == null ? z : z.sub(Torch.s(config.shiftFactor()));
      return shifted.mul(Torch.s(config.scalingFactor()));
    });
  }

  /** The inverse of {@link #scale}: latents / scaling_factor + shift_factor, what diffusers' pipelines decode. */
  @Override
  public Tensor unscale(Tensor latents) {
    return Torch.scoped(() -> {
      Tensor z = latents.div(Torch.s(config.scalingFactor()));
      return config.shiftFactor() == null ? z : z.add(Torch.s(config.shiftFactor()));
    });
  }

  /** Frees the weights' native memory now. */
  @Override
  public void close() {
    params.free();
  }

  static void checkImage(Tensor x, int channels, String what) {
    if (x.dim() != 4 || x.size(1) != channels) {
      throw new IllegalArgumentException(what + " must be [batch, " + channels + ", height, width], got "
          + java.util.Arrays.toString(Torch.shape(x)));
    }
    if (x.size(0) < 1 || x.size(2) < 1 || x.size(3) < 1) {
      throw new IllegalArgumentException(what + " is empty: " + java.util.Arrays.toString(Torch.shape(x)));
    }
  }
}
