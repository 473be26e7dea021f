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
 * convolution), a middle block (ResBlock, attention, ResBlock), up blocks that concatenate the
 * skips, nearest-neighbour upsampling followed by a convolution, and GroupNorm-SiLU-conv out.
 *
 * <p>Time enters through a sinusoidal embedding and an MLP added inside every ResBlock; an optional
 * class label adds a learned embedding to it (index {@code numClasses} = "no label").
 */
public final class UNet implements AutoCloseable {
  private final UNetConfig config;
  private final Params params = new Params();
  private final TimestepEmbedding timeEmbedding;
  private final Tensor classEmbedding; // [numClasses + 1, tembDim], or null
  private final Conv2d convIn;
  private final List<Level> down = new ArrayList<>();
  private final ResBlock midRes1;
  private final SelfAttention midAttn;
  private final ResBlock midRes2;
  private final List<Level> up = new ArrayList<>();
  private final GroupNorm normOut;
  private final Conv2d convOut;

  /** One resolution level: ResBlocks, each optionally followed by attention, then a resampler. */
  private record Level(List<ResBlock> resnets, List<SelfAttention> attentions, Conv2d resample) {}

  /**
   * Builds the network and draws its initial weights from libtorch's global generator (seed it with
   * {@code torch.manual_seed} first for a reproducible model).
   */
  public UNet(UNetConfig c) {
    Torch.init(); // the engine starts safely before the first tensor, whoever builds a model first
    this.config = c;
    int base = c.baseChannels();
    int temb = c.timeEmbedDim();
    int g = c.groups();
    int levels = c.channelMults().size();
    // Creation order = diffusers' module order, so that PyTorch's reference draws the same weights.
    this.convIn = new Conv2d(params, "conv_in", c.inChannels(), base, 3, 1);
    this.timeEmbedding = new TimestepEmbedding(params, "time_embedding", base, temb);
    this.classEmbedding = c.numClasses() > 0 ? params.normal("class_embedding.weight", c.numClasses() + 1, temb) : null;

    Deque<Integer> skipChannels = new ArrayDeque<>();
    skipChannels.push(base);
    int ch = base;
    int res = c.imageSize();
    List<Integer> resolutions = new ArrayList<>(); // of each level on the way down; the way up mirrors them
    for (int i = 0; i < levels; i++) {
      String name = "down_blocks." + i;
      int out = base * c.channelMults().get(i);
      resolutions.add(res);
      boolean attn = c.attentionResolutions().contains(res);
      List<ResBlock> resnets = new ArrayList<>();
      List<SelfAttention> attns = new ArrayList<>();
      for (int r = 0; r < c.numResBlocks(); r++) {
        resnets.add(new ResBlock(params, name + ".resnets." + r, ch, out, temb, g, c.dropout()));
        ch = out;
        if (attn) {
          attns.add(new SelfAttention(params, name + ".attentions." + r, ch, c.heads(), g));
        }
        skipChannels.push(ch);
      }
      Conv2d downsample = null;
      if (i < levels - 1) {
        downsample = new Conv2d(params, name + ".downsamplers.0.conv", ch, ch, 3, 2);
        skipChannels.push(ch);
        res = (res + 1) / 2;
      }
      down.add(new Level(resnets, attns, downsample));
    }

    this.midRes1 = new ResBlock(params, "mid_block.resnets.0", ch, ch, temb, g, c.dropout());
    this.midAttn = new SelfAttention(params, "mid_block.attentions.0", ch, c.heads(), g);
    this.midRes2 = new ResBlock(params, "mid_block.resnets.1", ch, ch, temb, g, c.dropout());

    for (int j = 0; j < levels; j++) {
      int i = levels - 1 - j;
      String name = "up_blocks." + j;
      int out = base * c.channelMults().get(i);
      boolean attn = c.attentionResolutions().contains(resolutions.get(i));
      List<ResBlock> resnets = new ArrayList<>();
      List<SelfAttention> attns = new ArrayList<>();
      for (int r = 0; r <= c.numResBlocks(); r++) {
        int skip = skipChannels.pop();
        resnets.add(new ResBlock(params, name + ".resnets." + r, ch + skip, out, temb, g, c.dropout()));
        ch = out;
        if (attn) {
          attns.add(new SelfAttention(params, name + ".attentions." + r, ch, c.heads(), g));
        }
      }
      Conv2d upsample = null;
      if (j < levels - 1) {
        upsample = new Conv2d(params, name + ".upsamplers.0.conv", ch, ch, 3, 1); // to the skip's size at run time
      }
      up.add(new Level(resnets, attns, upsample));
    }
    this.normOut = new GroupNorm(params, "conv_norm_out", g, ch);
    this.convOut = new Conv2d(params, "conv_out", ch, c.inChannels(), 3, 1);
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
   * @param labels class of each image, {@code numClasses} for "no label"; null for unconditional
   * @param f precision and train/eval mode
   * @return [B, C, H, W] float32
   */
  public Tensor forward(Tensor x, double[] t, int[] labels, Forward f) {
    return Torch.scoped(() -> {
      Tensor temb = timeEmbedding.forward(t, f);
      if (classEmbedding != null) {
        if (labels == null) {
          throw new IllegalArgumentException("this model is class-conditional: labels are required");
        }
        Tensor idx = Torch.longs(labels);
        Tensor cemb = torch.index_select(classEmbedding, 0, idx).to(f.precision().dtype);
        temb = temb.add(cemb);
      }
      Deque<Tensor> skips = new ArrayDeque<>();
      Tensor h = convIn.forward(x.to(f.precision().dtype), f);
      skips.push(h);
      for (Level level : down) {
        for (int r = 0; r < level.resnets.size(); r++) {
          h = level.resnets.get(r).forward(h, temb, f);
          if (!level.attentions.isEmpty()) {
            h = level.attentions.get(r).forward(h, f);
          }
          skips.push(h);
        }
        if (level.resample != null) {
          h = level.resample.forward(h, f);
          skips.push(h);
        }
      }
      h = midRes1.forward(h, temb, f);
      h = midAttn.forward(h, f);
      h = midRes2.forward(h, temb, f);
      for (Level level : up) {
        for (int r = 0; r < level.resnets.size(); r++) {
          Tensor skip = skips.pop();
          h = level.resnets.get(r).forward(torch.cat(new TensorVector(h, skip), 1), temb, f);
          if (!level.attentions.isEmpty()) {
            h = level.attentions.get(r).forward(h, f);
          }
        }
        if (level.resample != null) {
          long[] target = Torch.shape(skips.peek());
          Tensor in = h;
          h = Torch.scoped(() -> level.resample.forward(
              torch.upsample_nearest2d(in, new long[] {target[2], target[3]}, new DoubleOptional(), new DoubleOptional()), f));
        }
      }
      Tensor out = convOut.forward(torch.silu(normOut.forward(h, f)), f);
      return out.to(ScalarType.Float);
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
