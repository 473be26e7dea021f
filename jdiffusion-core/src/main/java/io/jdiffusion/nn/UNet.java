package io.jdiffusion.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The noise-prediction network of Ho et al. 2020 (App. B), laid out like diffusers'
 * {@code UNet2DModel}: conv_in, down blocks (ResBlocks, optional self-attention, stride-2
 * convolution), a middle block (ResBlock, optional attention, ResBlock; optional), up blocks that
 * concatenate the skips, nearest-neighbour upsampling followed by a convolution, and GroupNorm-SiLU-conv
 * out. {@link UNetConfig} names the diffusers option behind each choice.
 *
 * <p>Time enters through a sinusoidal embedding and an MLP added inside every ResBlock; an optional
 * class label adds an embedding to it (with {@link UNetConfig#nullClass()}, index {@code numClasses}
 * = "no label").
 */
public final class UNet implements AutoCloseable {
  private final UNetConfig config;
  private final Params params = new Params();
  private final TimestepEmbedding timeEmbedding;
  private final Tensor classTable; // [numClasses (+ 1), tembDim], or null
  private final TimestepEmbedding classMlp; // class_embed_type "timestep", or null
  private final Conv2d convIn;
  private final List<Level> down = new ArrayList<>();
  private final ResBlock midRes1; // null without a middle block
  private final SelfAttention midAttn; // null without middle attention
  private final ResBlock midRes2;
  private final List<Level> up = new ArrayList<>();
  private final GroupNorm normOut;
  private final Conv2d convOut;

  /** One resolution level: ResBlocks, each optionally followed by attention, then a resampler. */
  private record Level(List<ResBlock> resnets, List<SelfAttention> attentions, Downsample downsample, Conv2d upsample) {}

  /**
   * Builds the network and draws its initial weights from libtorch's global generator (seed it with
   * {@code torch.manual_seed} first for a reproducible model).
   */
  public UNet(UNetConfig c) {
    Torch.init(); // the engine starts safely before the first tensor, whoever builds a model first
    this.config = c;
    List<Integer> channels = c.blockOutChannels();
    int first = channels.get(0);
    int temb = c.timeEmbedDim();
    int g = c.groups();
    double eps = c.normEps();
    boolean ss = c.scaleShift();
    int levels = channels.size();
    // Creation order = diffusers' module order, so that PyTorch's reference draws the same weights.
    this.convIn = new Conv2d(params, "conv_in", c.inChannels(), first, 3, 1);
    this.timeEmbedding = new TimestepEmbedding(params, "time_embedding", first, temb, c.flipSinToCos(), c.freqShift());
    boolean table = c.numClasses() > 0 && c.classEmbedding() == UNetConfig.ClassEmbedding.TABLE;
    this.classTable = table ? params.normal("class_embedding.weight", c.numClasses() + (c.nullClass() ? 1 : 0), temb)
        : null;
    this.classMlp = c.numClasses() > 0 && !table
        ? new TimestepEmbedding(params, "class_embedding", first, temb, c.flipSinToCos(), c.freqShift()) : null;

    Deque<Integer> skipChannels = new ArrayDeque<>();
    skipChannels.push(first);
    int ch = first;
    for (int i = 0; i < levels; i++) {
      String name = "down_blocks." + i;
      int out = channels.get(i);
      boolean attn = c.attention(i, false);
      List<ResBlock> resnets = new ArrayList<>();
      List<SelfAttention> attns = new ArrayList<>();
      for (int r = 0; r < c.numResBlocks(); r++) {
        resnets.add(new ResBlock(params, name + ".resnets." + r, ch, out, temb, g, c.dropout(), eps, ss, 1.0));
        ch = out;
        if (attn) {
          attns.add(new SelfAttention(params, name + ".attentions." + r, ch, c.headsAt(ch), g, eps, 1.0));
        }
        skipChannels.push(ch);
      }
      Downsample downsample = null;
      if (i < levels - 1) {
        downsample = new Downsample(params, name + ".downsamplers.0", ch, c.downsamplePadding());
        skipChannels.push(ch);
      }
      down.add(new Level(resnets, attns, downsample, null));
    }

    double midScale = c.midBlockScaleFactor();
    this.midRes1 = c.midBlock()
        ? new ResBlock(params, "mid_block.resnets.0", ch, ch, temb, g, c.dropout(), eps, ss, midScale) : null;
    this.midAttn = c.midBlock() && c.midAttention() ? new SelfAttention(params, "mid_block.attentions.0", ch,
        c.headsAt(ch), c.midAttentionNormGroups(), eps, midScale) : null;
    this.midRes2 = c.midBlock()
        ? new ResBlock(params, "mid_block.resnets.1", ch, ch, temb, g, c.dropout(), eps, ss, midScale) : null;

    for (int j = 0; j < levels; j++) {
      int i = levels - 1 - j;
      String name = "up_blocks." + j;
      int out = channels.get(i);
      boolean attn = c.attention(i, true);
      List<ResBlock> resnets = new ArrayList<>();
      List<SelfAttention> attns = new ArrayList<>();
      for (int r = 0; r <= c.numResBlocks(); r++) {
        int skip = skipChannels.pop();
        resnets.add(new ResBlock(params, name + ".resnets." + r, ch + skip, out, temb, g, c.dropout(), eps, ss, 1.0));
        ch = out;
        if (attn) {
          attns.add(new SelfAttention(params, name + ".attentions." + r, ch, c.headsAt(ch), g, eps, 1.0));
        }
      }
      Conv2d upsample = null;
      if (j < levels - 1) {
        upsample = new Conv2d(params, name + ".upsamplers.0.conv", ch, ch, 3, 1); // to the skip's size at run time
      }
      up.add(new Level(resnets, attns, null, upsample));
    }
    this.normOut = new GroupNorm(params, "conv_norm_out", g, ch, eps);
    this.convOut = new Conv2d(params, "conv_out", ch, c.predictionChannels(), 3, 1);
  }

  public UNetConfig config() {
    return config;
  }

  /** Frees the weights' native memory at once (otherwise the garbage collector does, some time later). */
  @Override
  public void close() {
    params.free();
  }

  /** Parameters by diffusers-style name, in creation order. */
  public Map<String, Tensor> parameters() {
    return params.all();
  }

  public long parameterCount() {
    return params.count();
  }

  /**
   * Predicts the network target (eps, x0 or v, depending on training) for a batch.
   *
   * @param x noisy images x_t, [B, C, H, W] float32
   * @param t timestep of each image (may be fractional for continuous-time samplers)
   * @param labels class of each image, {@code numClasses} for "no label" (with nullClass); null for
   *     unconditional models
   * @param f precision and train/eval mode
   * @return [B, C', H, W] float32, C' = {@link UNetConfig#predictionChannels()}
   */
  public Tensor forward(Tensor x, double[] t, int[] labels, Forward f) {
    return Torch.scoped(() -> {
      Tensor temb = timeEmbedding.forward(t, f);
      if (classTable != null || classMlp != null) {
        temb = temb.add(classEmbedding(labels, f));
      }
      Deque<Tensor> skips = new ArrayDeque<>();
      Tensor input = config.centerInputSample() ? x.mul(Torch.s(2)).sub(Torch.s(1)) : x;
      Tensor h = convIn.forward(input.to(f.precision().dtype), f);
      skips.push(h);
      for (Level level : down) {
        for (int r = 0; r < level.resnets.size(); r++) {
          h = level.resnets.get(r).forward(h, temb, f);
          if (!level.attentions.isEmpty()) {
            h = level.attentions.get(r).forward(h, f);
          }
          skips.push(h);
        }
        if (level.downsample != null) {
          h = level.downsample.forward(h, f);
          skips.push(h);
        }
      }
      if (midRes1 != null) {
        h = midRes1.forward(h, temb, f);
        if (midAttn != null) {
          h = midAttn.forward(h, f);
        }
        h = midRes2.forward(h, temb, f);
      }
      for (Level level : up) {
        for (int r = 0; r < level.resnets.size(); r++) {
          Tensor skip = skips.pop();
          h = level.resnets.get(r).forward(torch.cat(new TensorVector(h, skip), 1), temb, f);
          if (!level.attentions.isEmpty()) {
            h = level.attentions.get(r).forward(h, f);
          }
        }
        if (level.upsample != null) {
          long[] target = Torch.shape(skips.peek());
          Tensor in = h;
          h = Torch.scoped(() -> level.upsample.forward(
              torch.upsample_nearest2d(in, new long[] {target[2], target[3]}, new DoubleOptional(), new DoubleOptional()), f));
        }
      }
      Tensor out = convOut.forward(torch.silu(normOut.forward(h, f)), f);
      return out.to(ScalarType.Float);
    });
  }

  /** The class embedding of each image's label, [B, tembDim], checked against the model's classes. */
  private Tensor classEmbedding(int[] labels, Forward f) {
    if (labels == null) {
      throw new IllegalArgumentException("this model is class-conditional: labels are required");
    }
    int rows = config.numClasses() + (config.nullClass() ? 1 : 0);
    for (int l : labels) {
      if (l < 0 || l >= rows) {
        throw new IllegalArgumentException("label " + l + " is not one of the model's " + config.numClasses()
            + " classes" + (config.nullClass() ? " (or " + config.numClasses() + ", \"no label\")"
                : "; this model has no unconditional class: give one"));
      }
    }
    return Torch.scoped(() -> {
      if (classTable != null) {
        return torch.index_select(classTable, 0, Torch.longs(labels)).to(f.precision().dtype);
      }
      double[] asTimes = new double[labels.length];
      for (int i = 0; i < labels.length; i++) {
        asTimes[i] = labels[i];
      }
      return classMlp.forward(asTimes, f);
    });
  }

  /** Copies every parameter value from {@code other} (same config) into this model, no grad. */
  public void copyFrom(UNet other) {
    try (PointerScope scope = new PointerScope(); var ng = new org.bytedeco.pytorch.NoGradGuard()) {
      var mine = params.all();
      var theirs = other.params.all();
      for (var e : mine.entrySet()) {
        e.getValue().copy_(theirs.get(e.getKey()));
      }
    }
  }
}
