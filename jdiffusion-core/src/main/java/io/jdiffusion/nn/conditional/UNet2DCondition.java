package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Conv2d;
import io.jdiffusion.nn.Downsample;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.GroupNorm;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.ResBlock;
import io.jdiffusion.nn.Torch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The text-conditioned latent U-Net of Stable Diffusion (Rombach et al. 2022, Sec. 3.3 and App. E.2),
 * laid out and named as diffusers' {@code UNet2DConditionModel} (unet_2d_condition.py) so that a
 * diffusers {@code unet/} folder loads with no renaming:
 *
 * <pre>temb = TimestepEmbedding(Timesteps(t))
 * h = conv_in(x);  down blocks (ResBlocks [+ Transformer2D(h, c)], Downsample), skips kept
 * mid block: ResBlock, Transformer2D(h, c), ResBlock  (or none)
 * up blocks: ResBlock(cat(h, skip)) [+ Transformer2D(h, c)], Upsample
 * out = conv_out(SiLU(GN(h)))</pre>
 *
 * The blocks are {@link DownStage} (CrossAttnDownBlock2D, DownBlock2D), {@link UpStage}
 * (CrossAttnUpBlock2D, UpBlock2D) and {@link MidStage} (UNetMidBlock2DCrossAttn); {@link
 * ConditionalUNetConfig} names the diffusers option behind each field. Inference runs under a
 * {@link org.bytedeco.pytorch.NoGradGuard} held by the caller (parameters require gradients so that the
 * network can also be fine-tuned).
 */
public final class UNet2DCondition implements AutoCloseable {
  private final ConditionalUNetConfig config;
  private final Params params;
  private final Conv2d convIn;
  private final TimeEmbedding timeEmbedding;
  private final List<DownStage> down = new ArrayList<>();
  private final MidStage mid; // null: mid_block_type null
  private final List<UpStage> up = new ArrayList<>();
  private final GroupNorm normOut;
  private final Conv2d convOut;

  /** A network with PyTorch's default initialisation, drawn from libtorch's global generator. */
  public UNet2DCondition(ConditionalUNetConfig c) {
    this(c, new Params());
  }

  /**
   * A network whose parameters are allocated but not initialised ({@link Params#forLoading()}): every
   * value must be loaded before the first forward.
   */
  public static UNet2DCondition forLoading(ConditionalUNetConfig c) {
    return new UNet2DCondition(c, Params.forLoading());
  }

  private UNet2DCondition(ConditionalUNetConfig c, Params p) {
    Torch.init(); // the engine starts safely before the first tensor
    this.config = c;
    this.params = p;
    List<Integer> ch = c.blockOutChannels();
    int levels = c.levels();
    int first = ch.get(0);
    int temb = c.timeEmbedDim();
    int g = c.groups();
    double eps = c.normEps();
    this.convIn = new Conv2d(p, "conv_in", c.inChannels(), first, 3, 1);
    this.timeEmbedding = new TimeEmbedding(p, "time_embedding", first, temb, c.flipSinToCos(), c.freqShift());

    Deque<Integer> skipChannels = new ArrayDeque<>();
    skipChannels.push(first);
    int width = first;
    for (int i = 0; i < levels; i++) {
      String name = "down_blocks." + i;
      int out = ch.get(i);
      List<ResBlock> resnets = new ArrayList<>();
      List<Transformer2D> attns = new ArrayList<>();
      for (int r = 0; r < c.layersPerBlock().get(i); r++) {
        resnets.add(new ResBlock(p, name + ".resnets." + r, width, out, temb, g, 0.0, eps, false, 1.0));
        width = out;
        if (c.downCrossAttention().get(i)) {
          attns.add(transformer(p, name + ".attentions." + r, out, i, c.onlyCrossAttention().get(i)));
        }
        skipChannels.push(width);
      }
      Downsample ds = null;
      if (i < levels - 1) {
        ds = new Downsample(p, name + ".downsamplers.0", width, c.downsamplePadding());
        skipChannels.push(width);
      }
      down.add(new DownStage(resnets, attns, ds));
    }

    if (c.midBlock()) {
      double s = c.midBlockScaleFactor();
      ResBlock r0 = new ResBlock(p, "mid_block.resnets.0", width, width, temb, g, 0.0, eps, false, s);
      Transformer2D a = transformer(p, "mid_block.attentions.0", width, levels - 1, false);
      ResBlock r1 = new ResBlock(p, "mid_block.resnets.1", width, width, temb, g, 0.0, eps, false, s);
      this.mid = new MidStage(r0, a, r1);
    } else {
      this.mid = null;
    }

    for (int j = 0; j < levels; j++) {
      int i = levels - 1 - j; // the level this up block serves
      String name = "up_blocks." + j;
      int out = ch.get(i);
      List<ResBlock> resnets = new ArrayList<>();
      List<Transformer2D> attns = new ArrayList<>();
      for (int r = 0; r <= c.layersPerBlock().get(i); r++) {
        int skip = skipChannels.pop();
        resnets.add(new ResBlock(p, name + ".resnets." + r, width + skip, out, temb, g, 0.0, eps, false, 1.0));
        width = out;
        if (c.upCrossAttention().get(j)) {
          attns.add(transformer(p, name + ".attentions." + r, out, i, c.onlyCrossAttention().get(i)));
        }
      }
      Conv2d upsample = j < levels - 1 ? new Conv2d(p, name + ".upsamplers.0.conv", width, width, 3, 1) : null;
      up.add(new UpStage(resnets, attns, upsample));
    }
    this.normOut = new GroupNorm(p, "conv_norm_out", g, width, eps);
    this.convOut = new Conv2d(p, "conv_out", width, c.outChannels(), 3, 1);
  }

  private Transformer2D transformer(Params p, String name, int channels, int level, boolean onlyCross) {
    return new Transformer2D(p, name, channels, config.heads().get(level), config.transformerLayers().get(level),
        config.crossAttentionDim(), config.groups(), config.linearProjection(), onlyCross);
  }

  public ConditionalUNetConfig config() {
    return config;
  }

  /** Parameters by diffusers' state-dict name, in creation order. */
  public Map<String, Tensor> parameters() {
    return params.all();
  }

  public long parameterCount() {
    return params.count();
  }

  /** Frees the weights' native memory now. */
  @Override
  public void close() {
    params.free();
  }

  /**
   * The network's prediction (epsilon or v, as the model was trained) for a batch, diffusers' {@code
   * UNet2DConditionModel.forward(sample, timestep, encoder_hidden_states).sample}.
   *
   * @param sample latents x_t [B, inChannels, h, w] (any float dtype)
   * @param timesteps each item's timestep (B values, or one for the whole batch); cast to float32 as diffusers does
   * @param context text encoder states [B, M, crossAttentionDim] (M = 77 for CLIP)
   * @param f precision (fp32, or bf16 activations with fp32 weights, norms and attention) and mode
   * @return [B, outChannels, h, w] float32
   * @throws IllegalArgumentException when a shape does not fit the model, naming it
   */
  public Tensor forward(Tensor sample, double[] timesteps, Tensor context, Forward f) {
    long[] s = Torch.shape(sample);
    if (s.length != 4 || s[1] != config.inChannels()) {
      throw new IllegalArgumentException("sample has shape " + Arrays.toString(s) + "; this UNet takes [B, "
          + config.inChannels() + ", h, w]");
    }
    long[] e = Torch.shape(context);
    if (e.length != 3 || e[0] != s[0] || e[2] != config.crossAttentionDim()) {
      throw new IllegalArgumentException("encoder_hidden_states has shape " + Arrays.toString(e) + "; this UNet takes ["
          + s[0] + ", tokens, " + config.crossAttentionDim() + "]");
    }
    if (timesteps.length != s[0] && timesteps.length != 1) {
      throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + s[0]);
    }
    double[] t = timesteps.length == s[0] ? timesteps : broadcast(timesteps[0], (int) s[0]);
    return Torch.scoped(() -> {
      Tensor temb = timeEmbedding.forward(t, f);
      Tensor c = context.to(f.precision().dtype);
      Tensor x = sample.to(f.precision().dtype);
      if (config.centerInputSample()) {
        x = x.mul(Torch.s(2)).sub(Torch.s(1));
      }
      Deque<Tensor> skips = new ArrayDeque<>();
      Tensor h = convIn.forward(x, f);
      skips.push(h);
      for (DownStage d : down) {
        h = d.forward(h, temb, c, skips, f);
      }
      if (mid != null) {
        h = mid.forward(h, temb, c, f);
      }
      for (UpStage u : up) {
        h = u.forward(h, temb, c, skips, f);
      }
      return convOut.forward(torch.silu(normOut.forward(h, f)), f).to(ScalarType.Float);
    });
  }

  private static double[] broadcast(double v, int n) {
    double[] t = new double[n];
    Arrays.fill(t, v);
    return t;
  }
}
