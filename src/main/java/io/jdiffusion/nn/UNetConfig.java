package io.jdiffusion.nn;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.util.Arrays;
import java.util.List;

/**
 * Architecture of the noise-prediction U-Net (Ho et al. 2020, Sec. 4 and App. B; diffusers'
 * {@code UNet2DModel}). Saved as JSON beside the weights, so a checkpoint rebuilds its model alone.
 * Immutable; made by {@link #builder()} (defaults: the tiny preset), {@link #tiny}, {@link #reference}
 * or {@link #toBuilder()}, and checked once, in {@link Builder#build()}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"inChannels", "imageSize", "baseChannels", "channelMults", "numResBlocks",
    "attentionResolutions", "heads", "dropout", "groups", "numClasses"})
@JsonDeserialize(builder = UNetConfig.Builder.class)
public final class UNetConfig {
  /** Image channels: 1 grey, 3 RGB; the output has the same count. */
  private final int inChannels;
  /** Height = width of the images, in pixels. */
  private final int imageSize;
  /** Channels at the first level; level i has baseChannels * channelMults[i]. */
  private final int baseChannels;
  /** One multiplier per resolution level; a level halves the resolution after it. */
  private final List<Integer> channelMults;
  /** Residual blocks per level on the way down (one more on the way up). */
  private final int numResBlocks;
  /** Resolutions (pixels) at which self-attention follows each ResBlock; default: the lowest level's. */
  private final List<Integer> attentionResolutions;
  /** Attention heads; channels at an attention level must divide by it. */
  private final int heads;
  /** Dropout probability inside ResBlocks during training. */
  private final double dropout;
  /** GroupNorm groups; every channel count must divide by it. */
  private final int groups;
  /** Classes for conditional models, 0 for unconditional; label index numClasses means "no label" (classifier-free guidance). */
  private final int numClasses;

  private UNetConfig(Builder b, List<Integer> channelMults, List<Integer> attentionResolutions) {
    this.inChannels = b.inChannels;
    this.imageSize = b.imageSize;
    this.baseChannels = b.baseChannels;
    this.channelMults = channelMults;
    this.numResBlocks = b.numResBlocks;
    this.attentionResolutions = attentionResolutions;
    this.heads = b.heads;
    this.dropout = b.dropout;
    this.groups = b.groups;
    this.numClasses = b.numClasses;
  }

  /** A builder holding the tiny preset's values. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.inChannels = inChannels;
    b.imageSize = imageSize;
    b.baseChannels = baseChannels;
    b.channelMults = channelMults;
    b.numResBlocks = numResBlocks;
    b.attentionResolutions = attentionResolutions;
    b.heads = heads;
    b.dropout = dropout;
    b.groups = groups;
    b.numClasses = numClasses;
    return b;
  }

  /** The small preset for 28x28 grey images, trainable on a laptop CPU in minutes: base 32, mults 1,2,2, one ResBlock. */
  public static UNetConfig tiny(int channels, int imageSize, int numClasses) {
    return builder().inChannels(channels).imageSize(imageSize).numClasses(numClasses).build();
  }

  /** The reference U-Net (6.47 M parameters at 3x32x32): base 64, mults 1,2,2, two ResBlocks, dropout 0.1. */
  public static UNetConfig reference(int channels, int imageSize, int numClasses) {
    return builder().inChannels(channels).imageSize(imageSize).numClasses(numClasses).baseChannels(64)
        .numResBlocks(2).dropout(0.1).groups(32).build();
  }

  /** The resolution of the lowest of {@code levels} levels (where the presets put attention). */
  public static int lowest(int imageSize, int levels) {
    int res = imageSize;
    for (int i = 1; i < levels; i++) {
      res = (res + 1) / 2;
    }
    return res;
  }

  /** The most parameters a model may have (4 GiB of float32 weights; the reference U-Net has 6.5 M). */
  public static final long MAX_PARAMETERS = 1L << 30;
  /** The most ResBlocks per level. */
  public static final int MAX_RES_BLOCKS = 64;

  /**
   * The number of parameters {@link UNet} builds for this architecture, counted without building it,
   * so that a model too large for memory is refused before any allocation.
   */
  public long parameterCount() {
    return (long) count(inChannels, imageSize, baseChannels, channelMults, numResBlocks, attentionResolutions,
        numClasses);
  }

  /** The parameters of UNet's layers, in its creation order; doubles, so that absurd sizes cannot overflow. */
  private static double count(int inChannels, int imageSize, int baseChannels, List<Integer> mults, int numResBlocks,
      List<Integer> attention, int numClasses) {
    double base = baseChannels;
    double temb = 4 * base;
    double n = conv(inChannels, base, 3) + linear(base, temb) + linear(temb, temb);
    n += numClasses > 0 ? (numClasses + 1.0) * temb : 0;
    java.util.Deque<Double> skips = new java.util.ArrayDeque<>();
    skips.push(base);
    double ch = base;
    int res = imageSize;
    List<Integer> resolutions = new java.util.ArrayList<>();
    for (int i = 0; i < mults.size(); i++) {
      double out = base * mults.get(i);
      resolutions.add(res);
      for (int r = 0; r < numResBlocks; r++) {
        n += resBlock(ch, out, temb) + (attention.contains(res) ? attention(out) : 0);
        ch = out;
        skips.push(ch);
      }
      if (i < mults.size() - 1) {
        n += conv(ch, ch, 3);
        skips.push(ch);
        res = (res + 1) / 2;
      }
    }
    n += 2 * resBlock(ch, ch, temb) + attention(ch);
    for (int j = 0; j < mults.size(); j++) {
      int i = mults.size() - 1 - j;
      double out = base * mults.get(i);
      for (int r = 0; r <= numResBlocks; r++) {
        n += resBlock(ch + skips.pop(), out, temb) + (attention.contains(resolutions.get(i)) ? attention(out) : 0);
        ch = out;
      }
      if (j < mults.size() - 1) {
        n += conv(ch, ch, 3);
      }
    }
    return n + 2 * ch + conv(ch, inChannels, 3);
  }

  private static double conv(double in, double out, int k) {
    return in * out * k * k + out;
  }

  private static double linear(double in, double out) {
    return in * out + out;
  }

  private static double resBlock(double in, double out, double temb) {
    return 2 * in + conv(in, out, 3) + linear(temb, out) + 2 * out + conv(out, out, 3)
        + (in == out ? 0 : conv(in, out, 1));
  }

  private static double attention(double ch) {
    return 2 * ch + 4 * linear(ch, ch);
  }

  /** Channels of the time embedding: 4 x baseChannels, as in DDPM. */
  public int timeEmbedDim() {
    return 4 * baseChannels;
  }

  /** Image channels: 1 grey, 3 RGB; the output has the same count. */
  public int inChannels() {
    return inChannels;
  }

  /** Height = width of the images, in pixels. */
  public int imageSize() {
    return imageSize;
  }

  /** Channels at the first level; level i has baseChannels * channelMults[i]. */
  public int baseChannels() {
    return baseChannels;
  }

  /** One multiplier per resolution level; a level halves the resolution after it. */
  public List<Integer> channelMults() {
    return channelMults;
  }

  /** Residual blocks per level on the way down (one more on the way up). */
  public int numResBlocks() {
    return numResBlocks;
  }

  /** Resolutions (pixels) at which self-attention follows each ResBlock; default: the lowest level's. */
  public List<Integer> attentionResolutions() {
    return attentionResolutions;
  }

  /** Attention heads; channels at an attention level must divide by it. */
  public int heads() {
    return heads;
  }

  /** Dropout probability inside ResBlocks during training. */
  public double dropout() {
    return dropout;
  }

  /** GroupNorm groups; every channel count must divide by it. */
  public int groups() {
    return groups;
  }

  /** Classes for conditional models, 0 for unconditional; label index numClasses means "no label" (classifier-free guidance). */
  public int numClasses() {
    return numClasses;
  }

  private List<Object> values() {
    return Arrays.asList(inChannels, imageSize, baseChannels, channelMults, numResBlocks, attentionResolutions,
        heads, dropout, groups, numClasses);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UNetConfig c && values().equals(c.values());
  }

  @Override
  public int hashCode() {
    return values().hashCode();
  }

  @Override
  public String toString() {
    return "UNetConfig" + values();
  }

  /** Builds a {@link UNetConfig}; starts from the tiny preset's values. */
  @JsonPOJOBuilder(withPrefix = "")
  public static final class Builder {
    private int inChannels = 1;
    private int imageSize = 28;
    private int baseChannels = 32;
    private List<Integer> channelMults = List.of(1, 2, 2);
    private int numResBlocks = 1;
    private List<Integer> attentionResolutions = null;
    private int heads = 4;
    private double dropout = 0.0;
    private int groups = 8;
    private int numClasses = 0;

    private Builder() {}

    /** Image channels: 1 grey, 3 RGB; the output has the same count. */
    public Builder inChannels(int inChannels) {
      this.inChannels = inChannels;
      return this;
    }

    /** Height = width of the images, in pixels. */
    public Builder imageSize(int imageSize) {
      this.imageSize = imageSize;
      return this;
    }

    /** Channels at the first level; level i has baseChannels * channelMults[i]. */
    public Builder baseChannels(int baseChannels) {
      this.baseChannels = baseChannels;
      return this;
    }

    /** One multiplier per resolution level; a level halves the resolution after it. */
    public Builder channelMults(List<Integer> channelMults) {
      this.channelMults = channelMults;
      return this;
    }

    /** Residual blocks per level on the way down (one more on the way up). */
    public Builder numResBlocks(int numResBlocks) {
      this.numResBlocks = numResBlocks;
      return this;
    }

    /** Resolutions (pixels) at which self-attention follows each ResBlock; default: the lowest level's. */
    public Builder attentionResolutions(List<Integer> attentionResolutions) {
      this.attentionResolutions = attentionResolutions;
      return this;
    }

    /** Attention heads; channels at an attention level must divide by it. */
    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    /** Dropout probability inside ResBlocks during training. */
    public Builder dropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    /** GroupNorm groups; every channel count must divide by it. */
    public Builder groups(int groups) {
      this.groups = groups;
      return this;
    }

    /** Classes for conditional models, 0 for unconditional; label index numClasses means "no label" (classifier-free guidance). */
    public Builder numClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /** Checks the architecture and builds. */
    public UNetConfig build() {
      check(channelMults != null, "channelMults must be given");
      List<Integer> mults = List.copyOf(channelMults);
      List<Integer> attention = attentionResolutions == null
          ? List.of(lowest(imageSize, Math.max(1, mults.size()))) : List.copyOf(attentionResolutions);
      check(inChannels == 1 || inChannels == 3, "inChannels must be 1 (grey) or 3 (RGB), got " + inChannels);
      check(imageSize >= 4 && imageSize <= 1024, "imageSize must be between 4 and 1024, got " + imageSize);
      check(baseChannels >= 1, "baseChannels must be >= 1, got " + baseChannels);
      check(!mults.isEmpty(), "channelMults must not be empty");
      check(numResBlocks >= 1, "numResBlocks must be >= 1, got " + numResBlocks);
      check(heads >= 1, "heads must be >= 1, got " + heads);
      check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
      check(groups >= 1, "groups must be >= 1, got " + groups);
      check(numClasses >= 0, "numClasses must be >= 0, got " + numClasses);
      check(mults.size() <= 8, "at most 8 levels (channel multipliers), got " + mults.size());
      check(numResBlocks <= MAX_RES_BLOCKS, "numResBlocks must be at most " + MAX_RES_BLOCKS + ", got " + numResBlocks);
      check(mults.stream().allMatch(m -> m >= 1), "channel multipliers must be >= 1");
      check(numClasses <= 1_000_000, "numClasses must be at most 1000000, got " + numClasses);
      double params = count(inChannels, imageSize, baseChannels, mults, numResBlocks, attention, numClasses);
      check(params <= MAX_PARAMETERS, String.format(java.util.Locale.ROOT, "a U-Net of base %d channels, multipliers %s"
          + " and %d ResBlocks per level has %.3g parameters, more than the %d (%d GiB of float32) a model may have",
          baseChannels, mults, numResBlocks, params, MAX_PARAMETERS, MAX_PARAMETERS * 4 >> 30));
      java.util.List<Integer> resolutions = new java.util.ArrayList<>();
      for (int i = 0, r = imageSize; i < mults.size(); i++, r = (r + 1) / 2) {
        resolutions.add(r);
      }
      for (int a : attention) {
        check(resolutions.contains(a), "attention resolution " + a + " is not one of the model's resolutions " + resolutions);
      }
      int res = imageSize;
      for (int i = 0; i < mults.size(); i++) {
        int ch = baseChannels * mults.get(i);
        check(mults.get(i) >= 1, "channel multipliers must be >= 1");
        check(ch % groups == 0, "channels " + ch + " at level " + i + " not divisible by groups " + groups);
        if (attention.contains(res) || i == mults.size() - 1) {
          check(ch % heads == 0, "channels " + ch + " at level " + i + " not divisible by heads " + heads);
        }
        res = (res + 1) / 2;
      }
      check(baseChannels % groups == 0, "baseChannels not divisible by groups " + groups);
      return new UNetConfig(this, mults, attention);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
