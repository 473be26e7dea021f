package io.jdiffusion.nn;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Architecture of the noise-prediction U-Net (Ho et al. 2020, Sec. 4 and App. B), covering diffusers'
 * {@code UNet2DModel} configurations built of DownBlock2D, AttnDownBlock2D, UpBlock2D, AttnUpBlock2D and
 * UNetMidBlock2D. Saved as JSON beside the weights, so a checkpoint rebuilds its model alone.
 * Immutable; made by {@link #builder()} (defaults: the tiny preset), {@link #tiny}, {@link #reference}
 * or {@link #toBuilder()}, and checked once, in {@link Builder#build()}.
 *
 * <p>The fields after {@code numClasses} were added for diffusers' options; their defaults are what
 * every file written before them meant (freq_shift 1, flip_sin_to_cos false, norm_eps 1e-5, ...), so
 * older files read unchanged ({@link #ADDED_LATER}).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({
    "inChannels", "imageSize", "baseChannels", "channelMults", "numResBlocks", "attentionResolutions", "heads",
    "dropout", "groups", "numClasses", "outChannels", "levelChannels", "upAttentionResolutions", "headDim",
    "normEps", "downsamplePadding", "flipSinToCos", "freqShift", "timeEmbeddingDim", "scaleShift", "midBlock",
    "midAttention", "midBlockScaleFactor", "midAttentionGroups", "centerInputSample", "nullClass", "classEmbedding"})
@JsonDeserialize(builder = UNetConfig.Builder.class)
public final class UNetConfig {
  /** How a class label becomes an embedding added to the time embedding (diffusers' class_embed_type). */
  public enum ClassEmbedding {
    /** A learned table, one row per class (class_embed_type None with num_class_embeds). */
    TABLE,
    /** The label's sinusoids through an MLP of its own, like the timestep (class_embed_type "timestep"). */
    TIMESTEP
  }

  /**
   * Jackson value filters (equals = "leave out"): a field added later is not written while it holds
   * its default, so the files of models that do not use it stay byte for byte what they were.
   */
  static final class Omit {
    private Omit() {}

    static final class One {
      @Override
      public boolean equals(Object o) {
        return Integer.valueOf(1).equals(o);
      }

      @Override
      public int hashCode() {
        return 1;
      }
    }

    static final class OneDouble {
      @Override
      public boolean equals(Object o) {
        return Double.valueOf(1.0).equals(o);
      }

      @Override
      public int hashCode() {
        return 2;
      }
    }

    static final class NormEps {
      @Override
      public boolean equals(Object o) {
        return Double.valueOf(1e-5).equals(o);
      }

      @Override
      public int hashCode() {
        return 3;
      }
    }

    static final class True {
      @Override
      public boolean equals(Object o) {
        return Boolean.TRUE.equals(o);
      }

      @Override
      public int hashCode() {
        return 4;
      }
    }

    static final class Table {
      @Override
      public boolean equals(Object o) {
        return o == ClassEmbedding.TABLE;
      }

      @Override
      public int hashCode() {
        return 5;
      }
    }
  }

  /** The JSON fields added after the first version, whose defaults reproduce the older files' models. */
  public static final Set<String> ADDED_LATER = Set.of(
      "outChannels", "levelChannels", "upAttentionResolutions", "headDim", "normEps", "downsamplePadding",
      "flipSinToCos", "freqShift", "timeEmbeddingDim", "scaleShift", "midBlock", "midAttention",
      "midBlockScaleFactor", "midAttentionGroups", "centerInputSample", "nullClass", "classEmbedding");

  /** {@link #ADDED_LATER} as dotted paths under {@code prefix} ("unet."), for Json.readTolerant. */
  public static Set<String> addedLater(String prefix) {
    return ADDED_LATER.stream().map(n -> prefix + n).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** Image channels of the input: 1 grey, 3 RGB (diffusers' in_channels). */
  private final int inChannels;
  /** Height = width of the images, in pixels (diffusers' sample_size). */
  private final int imageSize;
  /** Channels at the first level; level i has baseChannels * channelMults[i] unless levelChannels is given. */
  private final int baseChannels;
  /** One multiplier per resolution level; a level halves the resolution after it. Null when levelChannels are not multiples of the first. */
  private final List<Integer> channelMults;
  /** Residual blocks per level on the way down, one more on the way up (diffusers' layers_per_block). */
  private final int numResBlocks;
  /** Resolutions (pixels) at which self-attention follows each ResBlock on the way down (AttnDownBlock2D), and on the way up unless upAttentionResolutions is given; default: the lowest level's. */
  private final List<Integer> attentionResolutions;
  /** Attention heads when headDim is 0; channels at an attention level must divide by it. */
  private final int heads;
  /** Dropout probability inside ResBlocks during training. */
  private final double dropout;
  /** GroupNorm groups (diffusers' norm_num_groups); every channel count must divide by it. */
  private final int groups;
  /** Classes for conditional models, 0 for unconditional; with nullClass, label index numClasses means "no label" (classifier-free guidance). */
  private final int numClasses;
  /** Channels of the prediction (diffusers' out_channels); 0: the same as inChannels. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final int outChannels;
  /** Channels of each level (diffusers' block_out_channels); null: baseChannels * channelMults. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private final List<Integer> levelChannels;
  /** Resolutions at which self-attention follows each ResBlock on the way up (AttnUpBlock2D); null: attentionResolutions. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private final List<Integer> upAttentionResolutions;
  /** Channels per attention head (diffusers' attention_head_dim): heads = channels / headDim at each level; 0: heads is the head count. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final int headDim;
  /** Epsilon of every GroupNorm (diffusers' norm_eps). */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.NormEps.class)
  private final double normEps;
  /** Padding of the stride-2 convolutions (diffusers' downsample_padding): 1 pads each side, 0 pads right and bottom only. */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.One.class)
  private final int downsamplePadding;
  /** Time sinusoids ordered cos, sin instead of sin, cos (diffusers' flip_sin_to_cos). */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final boolean flipSinToCos;
  /** Frequency i of the time sinusoids is 10000^(-i/(d/2 - freqShift)) (diffusers' freq_shift). */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.One.class)
  private final int freqShift;
  /** Width of the time embedding (diffusers' time_embedding_dim); 0: 4 x the first level's channels. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final int timeEmbeddingDim;
  /** ResBlocks apply the time embedding as GN(h) (1 + scale) + shift after the second norm (diffusers' resnet_time_scale_shift "scale_shift") instead of adding it before ("default"). */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final boolean scaleShift;
  /** Whether there is a middle block at the lowest resolution (diffusers' mid_block_type UNetMidBlock2D, or None). */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.True.class)
  private final boolean midBlock;
  /** Whether the middle block has self-attention between its ResBlocks (diffusers' add_attention). */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.True.class)
  private final boolean midAttention;
  /** The middle block's ResBlocks and attention divide their residual sums by it (diffusers' mid_block_scale_factor). */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.OneDouble.class)
  private final double midBlockScaleFactor;
  /** GroupNorm groups of the middle attention (diffusers' attn_norm_num_groups); 0: groups with default time conditioning, no norm with scaleShift. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final int midAttentionGroups;
  /** Maps the input x to 2x - 1 first (diffusers' center_input_sample). */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  private final boolean centerInputSample;
  /** The class embedding has one more row, numClasses, for "no label" (jdiffusion's classifier-free guidance); diffusers' num_class_embeds = numClasses + 1 with it, numClasses without. */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.True.class)
  private final boolean nullClass;
  /** How a label becomes an embedding (diffusers' class_embed_type): a learned table (None), or the time embedding's sinusoids and MLP of its own ("timestep"). */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Omit.Table.class)
  private final ClassEmbedding classEmbedding;

  private UNetConfig(Builder b) {
    this.inChannels = b.inChannels;
    this.imageSize = b.imageSize;
    this.baseChannels = b.baseChannels;
    this.channelMults = b.channelMults;
    this.numResBlocks = b.numResBlocks;
    this.attentionResolutions = b.attentionResolutions;
    this.heads = b.heads;
    this.dropout = b.dropout;
    this.groups = b.groups;
    this.numClasses = b.numClasses;
    this.outChannels = b.outChannels;
    this.levelChannels = b.levelChannels;
    this.upAttentionResolutions = b.upAttentionResolutions;
    this.headDim = b.headDim;
    this.normEps = b.normEps;
    this.downsamplePadding = b.downsamplePadding;
    this.flipSinToCos = b.flipSinToCos;
    this.freqShift = b.freqShift;
    this.timeEmbeddingDim = b.timeEmbeddingDim;
    this.scaleShift = b.scaleShift;
    this.midBlock = b.midBlock;
    this.midAttention = b.midAttention;
    this.midBlockScaleFactor = b.midBlockScaleFactor;
    this.midAttentionGroups = b.midAttentionGroups;
    this.centerInputSample = b.centerInputSample;
    this.nullClass = b.nullClass;
    this.classEmbedding = b.classEmbedding;
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
    b.outChannels = outChannels;
    b.levelChannels = levelChannels;
    b.upAttentionResolutions = upAttentionResolutions;
    b.headDim = headDim;
    b.normEps = normEps;
    b.downsamplePadding = downsamplePadding;
    b.flipSinToCos = flipSinToCos;
    b.freqShift = freqShift;
    b.timeEmbeddingDim = timeEmbeddingDim;
    b.scaleShift = scaleShift;
    b.midBlock = midBlock;
    b.midAttention = midAttention;
    b.midBlockScaleFactor = midBlockScaleFactor;
    b.midAttentionGroups = midAttentionGroups;
    b.centerInputSample = centerInputSample;
    b.nullClass = nullClass;
    b.classEmbedding = classEmbedding;
    return b;
  }

  /** Image channels of the input: 1 grey, 3 RGB (diffusers' in_channels). */
  public int inChannels() {
    return inChannels;
  }

  /** Height = width of the images, in pixels (diffusers' sample_size). */
  public int imageSize() {
    return imageSize;
  }

  /** Channels at the first level; level i has baseChannels * channelMults[i] unless levelChannels is given. */
  public int baseChannels() {
    return baseChannels;
  }

  /** One multiplier per resolution level; a level halves the resolution after it. Null when levelChannels are not multiples of the first. */
  public List<Integer> channelMults() {
    return channelMults;
  }

  /** Residual blocks per level on the way down, one more on the way up (diffusers' layers_per_block). */
  public int numResBlocks() {
    return numResBlocks;
  }

  /** Resolutions (pixels) at which self-attention follows each ResBlock on the way down (AttnDownBlock2D), and on the way up unless upAttentionResolutions is given; default: the lowest level's. */
  public List<Integer> attentionResolutions() {
    return attentionResolutions;
  }

  /** Attention heads when headDim is 0; channels at an attention level must divide by it. */
  public int heads() {
    return heads;
  }

  /** Dropout probability inside ResBlocks during training. */
  public double dropout() {
    return dropout;
  }

  /** GroupNorm groups (diffusers' norm_num_groups); every channel count must divide by it. */
  public int groups() {
    return groups;
  }

  /** Classes for conditional models, 0 for unconditional; with nullClass, label index numClasses means "no label" (classifier-free guidance). */
  public int numClasses() {
    return numClasses;
  }

  /** Channels of the prediction (diffusers' out_channels); 0: the same as inChannels. */
  public int outChannels() {
    return outChannels;
  }

  /** Channels of each level (diffusers' block_out_channels); null: baseChannels * channelMults. */
  public List<Integer> levelChannels() {
    return levelChannels;
  }

  /** Resolutions at which self-attention follows each ResBlock on the way up (AttnUpBlock2D); null: attentionResolutions. */
  public List<Integer> upAttentionResolutions() {
    return upAttentionResolutions;
  }

  /** Channels per attention head (diffusers' attention_head_dim): heads = channels / headDim at each level; 0: heads is the head count. */
  public int headDim() {
    return headDim;
  }

  /** Epsilon of every GroupNorm (diffusers' norm_eps). */
  public double normEps() {
    return normEps;
  }

  /** Padding of the stride-2 convolutions (diffusers' downsample_padding): 1 pads each side, 0 pads right and bottom only. */
  public int downsamplePadding() {
    return downsamplePadding;
  }

  /** Time sinusoids ordered cos, sin instead of sin, cos (diffusers' flip_sin_to_cos). */
  public boolean flipSinToCos() {
    return flipSinToCos;
  }

  /** Frequency i of the time sinusoids is 10000^(-i/(d/2 - freqShift)) (diffusers' freq_shift). */
  public int freqShift() {
    return freqShift;
  }

  /** Width of the time embedding (diffusers' time_embedding_dim); 0: 4 x the first level's channels. */
  public int timeEmbeddingDim() {
    return timeEmbeddingDim;
  }

  /** ResBlocks apply the time embedding as GN(h) (1 + scale) + shift after the second norm (diffusers' resnet_time_scale_shift "scale_shift") instead of adding it before ("default"). */
  public boolean scaleShift() {
    return scaleShift;
  }

  /** Whether there is a middle block at the lowest resolution (diffusers' mid_block_type UNetMidBlock2D, or None). */
  public boolean midBlock() {
    return midBlock;
  }

  /** Whether the middle block has self-attention between its ResBlocks (diffusers' add_attention). */
  public boolean midAttention() {
    return midAttention;
  }

  /** The middle block's ResBlocks and attention divide their residual sums by it (diffusers' mid_block_scale_factor). */
  public double midBlockScaleFactor() {
    return midBlockScaleFactor;
  }

  /** GroupNorm groups of the middle attention (diffusers' attn_norm_num_groups); 0: groups with default time conditioning, no norm with scaleShift. */
  public int midAttentionGroups() {
    return midAttentionGroups;
  }

  /** Maps the input x to 2x - 1 first (diffusers' center_input_sample). */
  public boolean centerInputSample() {
    return centerInputSample;
  }

  /** The class embedding has one more row, numClasses, for "no label" (jdiffusion's classifier-free guidance); diffusers' num_class_embeds = numClasses + 1 with it, numClasses without. */
  public boolean nullClass() {
    return nullClass;
  }

  /** How a label becomes an embedding (diffusers' class_embed_type): a learned table (None), or the time embedding's sinusoids and MLP of its own ("timestep"). */
  public ClassEmbedding classEmbedding() {
    return classEmbedding;
  }

  private List<Object> values() {
    return Arrays.asList(
        inChannels, imageSize, baseChannels, channelMults, numResBlocks, attentionResolutions, heads, dropout,
        groups, numClasses, outChannels, levelChannels, upAttentionResolutions, headDim, normEps, downsamplePadding,
        flipSinToCos, freqShift, timeEmbeddingDim, scaleShift, midBlock, midAttention, midBlockScaleFactor,
        midAttentionGroups, centerInputSample, nullClass, classEmbedding);
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

  /** The small preset for 28x28 grey images, trainable on a laptop CPU in minutes: base 32, mults 1,2,2, one ResBlock. */
  public static UNetConfig tiny(int channels, int imageSize, int numClasses) {
    return builder().inChannels(channels).imageSize(imageSize).numClasses(numClasses).build();
  }

  /** The reference U-Net (6.47 M parameters at 3x32x32): base 64, mults 1,2,2, two ResBlocks, dropout 0.1. */
  public static UNetConfig reference(int channels, int imageSize, int numClasses) {
    return builder().inChannels(channels).imageSize(imageSize).numClasses(numClasses).baseChannels(64)
        .numResBlocks(2).dropout(0.1).groups(32).build();
  }

  /** The resolution of the lowest of {@code levels} levels (where the presets put attention), downsamplePadding 1. */
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

  /** Resolution levels (diffusers: the number of down blocks). */
  public int levels() {
    return blockOutChannels().size();
  }

  /** Channels of each level (diffusers' block_out_channels), however they were given. */
  public List<Integer> blockOutChannels() {
    if (levelChannels != null) {
      return levelChannels;
    }
    List<Integer> out = new ArrayList<>();
    for (int m : channelMults) {
      out.add(baseChannels * m);
    }
    return List.copyOf(out);
  }

  /** Channels of level {@code i}. */
  public int channels(int i) {
    return blockOutChannels().get(i);
  }

  /** Channels of the network's output: outChannels, or inChannels when that is 0. */
  public int predictionChannels() {
    return outChannels == 0 ? inChannels : outChannels;
  }

  /** Channels of the time embedding: timeEmbeddingDim, or 4 x the first level's channels as in DDPM. */
  public int timeEmbedDim() {
    return timeEmbeddingDim > 0 ? timeEmbeddingDim : 4 * blockOutChannels().get(0);
  }

  /** The resolution (pixels) of each level, from the input's down. */
  public List<Integer> resolutions() {
    return resolutions(imageSize, levels(), downsamplePadding);
  }

  private static List<Integer> resolutions(int imageSize, int levels, int downsamplePadding) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0, r = imageSize; i < levels; i++) {
      out.add(r);
      r = downsamplePadding == 1 ? (r + 1) / 2 : r / 2; // (r + 2p - 3) / 2 + 1 with p each side, or p = 1 right only
    }
    return out;
  }

  /** Whether level {@code i} has self-attention after each ResBlock on the way down (false) or up (true). */
  public boolean attention(int level, boolean up) {
    List<Integer> at = up && upAttentionResolutions != null ? upAttentionResolutions : attentionResolutions;
    return at.contains(resolutions().get(level));
  }

  /** Attention heads at {@code channels}: channels / headDim, or heads when headDim is 0. */
  public int headsAt(int channels) {
    return headDim > 0 ? channels / headDim : heads;
  }

  /** GroupNorm groups of the middle block's attention; 0: it has no norm. */
  public int midAttentionNormGroups() {
    return midAttentionGroups > 0 ? midAttentionGroups : scaleShift ? 0 : groups;
  }

  /**
   * The number of parameters {@link UNet} builds for this architecture, counted without building it,
   * so that a model too large for memory is refused before any allocation.
   */
  public long parameterCount() {
    return (long) count();
  }

  /** The parameters of UNet's layers, in its creation order; doubles, so that absurd sizes cannot overflow. */
  private double count() {
    List<Integer> c = blockOutChannels();
    int levels = c.size();
    double temb = timeEmbedDim();
    double first = c.get(0);
    double n = conv(inChannels, first, 3) + linear(first, temb) + linear(temb, temb);
    if (numClasses > 0) {
      n += classEmbedding == ClassEmbedding.TABLE ? (numClasses + (nullClass ? 1.0 : 0.0)) * temb
          : linear(first, temb) + linear(temb, temb);
    }
    java.util.Deque<Double> skips = new java.util.ArrayDeque<>();
    skips.push(first);
    double ch = first;
    for (int i = 0; i < levels; i++) {
      double out = c.get(i);
      for (int r = 0; r < numResBlocks; r++) {
        n += resBlock(ch, out, temb) + (attention(i, false) ? attention(out, true) : 0);
        ch = out;
        skips.push(ch);
      }
      if (i < levels - 1) {
        n += conv(ch, ch, 3);
        skips.push(ch);
      }
    }
    if (midBlock) {
      n += 2 * resBlock(ch, ch, temb) + (midAttention ? attention(ch, midAttentionNormGroups() > 0) : 0);
    }
    for (int j = 0; j < levels; j++) {
      int i = levels - 1 - j;
      double out = c.get(i);
      for (int r = 0; r <= numResBlocks; r++) {
        n += resBlock(ch + skips.pop(), out, temb) + (attention(i, true) ? attention(out, true) : 0);
        ch = out;
      }
      if (j < levels - 1) {
        n += conv(ch, ch, 3);
      }
    }
    return n + 2 * ch + conv(ch, predictionChannels(), 3);
  }

  private static double conv(double in, double out, int k) {
    return in * out * k * k + out;
  }

  private static double linear(double in, double out) {
    return in * out + out;
  }

  private double resBlock(double in, double out, double temb) {
    return 2 * in + conv(in, out, 3) + linear(temb, (scaleShift ? 2 : 1) * out) + 2 * out + conv(out, out, 3)
        + (in == out ? 0 : conv(in, out, 1));
  }

  private static double attention(double ch, boolean norm) {
    return (norm ? 2 * ch : 0) + 4 * linear(ch, ch);
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
    private int outChannels = 0;
    private List<Integer> levelChannels = null;
    private List<Integer> upAttentionResolutions = null;
    private int headDim = 0;
    private double normEps = 1e-5;
    private int downsamplePadding = 1;
    private boolean flipSinToCos = false;
    private int freqShift = 1;
    private int timeEmbeddingDim = 0;
    private boolean scaleShift = false;
    private boolean midBlock = true;
    private boolean midAttention = true;
    private double midBlockScaleFactor = 1.0;
    private int midAttentionGroups = 0;
    private boolean centerInputSample = false;
    private boolean nullClass = true;
    private ClassEmbedding classEmbedding = ClassEmbedding.TABLE;

    private Builder() {}

    /** Image channels of the input: 1 grey, 3 RGB (diffusers' in_channels). */
    public Builder inChannels(int inChannels) {
      this.inChannels = inChannels;
      return this;
    }

    /** Height = width of the images, in pixels (diffusers' sample_size). */
    public Builder imageSize(int imageSize) {
      this.imageSize = imageSize;
      return this;
    }

    /** Channels at the first level; level i has baseChannels * channelMults[i] unless levelChannels is given. */
    public Builder baseChannels(int baseChannels) {
      this.baseChannels = baseChannels;
      return this;
    }

    /** One multiplier per resolution level; a level halves the resolution after it. Null when levelChannels are not multiples of the first. */
    public Builder channelMults(List<Integer> channelMults) {
      this.channelMults = channelMults;
      return this;
    }

    /** Residual blocks per level on the way down, one more on the way up (diffusers' layers_per_block). */
    public Builder numResBlocks(int numResBlocks) {
      this.numResBlocks = numResBlocks;
      return this;
    }

    /** Resolutions (pixels) at which self-attention follows each ResBlock on the way down (AttnDownBlock2D), and on the way up unless upAttentionResolutions is given; default: the lowest level's. */
    public Builder attentionResolutions(List<Integer> attentionResolutions) {
      this.attentionResolutions = attentionResolutions;
      return this;
    }

    /** Attention heads when headDim is 0; channels at an attention level must divide by it. */
    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    /** Dropout probability inside ResBlocks during training. */
    public Builder dropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    /** GroupNorm groups (diffusers' norm_num_groups); every channel count must divide by it. */
    public Builder groups(int groups) {
      this.groups = groups;
      return this;
    }

    /** Classes for conditional models, 0 for unconditional; with nullClass, label index numClasses means "no label" (classifier-free guidance). */
    public Builder numClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /** Channels of the prediction (diffusers' out_channels); 0: the same as inChannels. */
    public Builder outChannels(int outChannels) {
      this.outChannels = outChannels;
      return this;
    }

    /** Channels of each level (diffusers' block_out_channels); null: baseChannels * channelMults. */
    public Builder levelChannels(List<Integer> levelChannels) {
      this.levelChannels = levelChannels;
      return this;
    }

    /** Resolutions at which self-attention follows each ResBlock on the way up (AttnUpBlock2D); null: attentionResolutions. */
    public Builder upAttentionResolutions(List<Integer> upAttentionResolutions) {
      this.upAttentionResolutions = upAttentionResolutions;
      return this;
    }

    /** Channels per attention head (diffusers' attention_head_dim): heads = channels / headDim at each level; 0: heads is the head count. */
    public Builder headDim(int headDim) {
      this.headDim = headDim;
      return this;
    }

    /** Epsilon of every GroupNorm (diffusers' norm_eps). */
    public Builder normEps(double normEps) {
      this.normEps = normEps;
      return this;
    }

    /** Padding of the stride-2 convolutions (diffusers' downsample_padding): 1 pads each side, 0 pads right and bottom only. */
    public Builder downsamplePadding(int downsamplePadding) {
      this.downsamplePadding = downsamplePadding;
      return this;
    }

    /** Time sinusoids ordered cos, sin instead of sin, cos (diffusers' flip_sin_to_cos). */
    public Builder flipSinToCos(boolean flipSinToCos) {
      this.flipSinToCos = flipSinToCos;
      return this;
    }

    /** Frequency i of the time sinusoids is 10000^(-i/(d/2 - freqShift)) (diffusers' freq_shift). */
    public Builder freqShift(int freqShift) {
      this.freqShift = freqShift;
      return this;
    }

    /** Width of the time embedding (diffusers' time_embedding_dim); 0: 4 x the first level's channels. */
    public Builder timeEmbeddingDim(int timeEmbeddingDim) {
      this.timeEmbeddingDim = timeEmbeddingDim;
      return this;
    }

    /** ResBlocks apply the time embedding as GN(h) (1 + scale) + shift after the second norm (diffusers' resnet_time_scale_shift "scale_shift") instead of adding it before ("default"). */
    public Builder scaleShift(boolean scaleShift) {
      this.scaleShift = scaleShift;
      return this;
    }

    /** Whether there is a middle block at the lowest resolution (diffusers' mid_block_type UNetMidBlock2D, or None). */
    public Builder midBlock(boolean midBlock) {
      this.midBlock = midBlock;
      return this;
    }

    /** Whether the middle block has self-attention between its ResBlocks (diffusers' add_attention). */
    public Builder midAttention(boolean midAttention) {
      this.midAttention = midAttention;
      return this;
    }

    /** The middle block's ResBlocks and attention divide their residual sums by it (diffusers' mid_block_scale_factor). */
    public Builder midBlockScaleFactor(double midBlockScaleFactor) {
      this.midBlockScaleFactor = midBlockScaleFactor;
      return this;
    }

    /** GroupNorm groups of the middle attention (diffusers' attn_norm_num_groups); 0: groups with default time conditioning, no norm with scaleShift. */
    public Builder midAttentionGroups(int midAttentionGroups) {
      this.midAttentionGroups = midAttentionGroups;
      return this;
    }

    /** Maps the input x to 2x - 1 first (diffusers' center_input_sample). */
    public Builder centerInputSample(boolean centerInputSample) {
      this.centerInputSample = centerInputSample;
      return this;
    }

    /** The class embedding has one more row, numClasses, for "no label" (jdiffusion's classifier-free guidance); diffusers' num_class_embeds = numClasses + 1 with it, numClasses without. */
    public Builder nullClass(boolean nullClass) {
      this.nullClass = nullClass;
      return this;
    }

    /** How a label becomes an embedding (diffusers' class_embed_type): a learned table (None), or the time embedding's sinusoids and MLP of its own ("timestep"). */
    public Builder classEmbedding(ClassEmbedding classEmbedding) {
      this.classEmbedding = classEmbedding;
      return this;
    }


    /** Checks the architecture and builds. */
    public UNetConfig build() {
      if (levelChannels != null) { // block_out_channels: kept as base x multipliers when they are multiples of the first
        check(!levelChannels.isEmpty(), "levelChannels must not be empty");
        check(levelChannels.stream().allMatch(ch -> ch != null && ch >= 1), "level channels must be >= 1");
        List<Integer> given = List.copyOf(levelChannels);
        int first = given.get(0);
        baseChannels = first;
        if (given.stream().allMatch(ch -> ch % first == 0)) {
          channelMults = given.stream().map(ch -> ch / first).toList();
          levelChannels = null;
        } else {
          channelMults = null;
          levelChannels = given;
        }
      } else {
        check(channelMults != null, "channelMults must be given");
        channelMults = List.copyOf(channelMults);
      }
      int levels = levelChannels != null ? levelChannels.size() : channelMults.size();
      check(levels >= 1, "channelMults must not be empty");
      check(downsamplePadding == 0 || downsamplePadding == 1, "downsamplePadding must be 0 or 1, got " + downsamplePadding);
      List<Integer> resolutions = resolutions(imageSize, Math.min(levels, 8), downsamplePadding);
      attentionResolutions = attentionResolutions == null ? List.of(resolutions.get(resolutions.size() - 1))
          : List.copyOf(attentionResolutions);
      upAttentionResolutions = upAttentionResolutions == null || upAttentionResolutions.equals(attentionResolutions)
          ? null : List.copyOf(upAttentionResolutions);
      check(inChannels == 1 || inChannels == 3, "inChannels must be 1 (grey) or 3 (RGB), got " + inChannels);
      check(outChannels >= 0 && outChannels <= 64, "outChannels must be between 1 and 64 (0: inChannels), got " + outChannels);
      check(imageSize >= 4 && imageSize <= 1024, "imageSize must be between 4 and 1024, got " + imageSize);
      check(baseChannels >= 1, "baseChannels must be >= 1, got " + baseChannels);
      check(numResBlocks >= 1, "numResBlocks must be >= 1, got " + numResBlocks);
      check(heads >= 1, "heads must be >= 1, got " + heads);
      check(headDim >= 0, "headDim must be >= 0 (0: channels / heads), got " + headDim);
      check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
      check(groups >= 1, "groups must be >= 1, got " + groups);
      check(numClasses >= 0, "numClasses must be >= 0, got " + numClasses);
      check(levels <= 8, "at most 8 levels (channel multipliers), got " + levels);
      check(numResBlocks <= MAX_RES_BLOCKS, "numResBlocks must be at most " + MAX_RES_BLOCKS + ", got " + numResBlocks);
      check(channelMults == null || channelMults.stream().allMatch(m -> m != null && m >= 1),
          "channel multipliers must be >= 1");
      check(numClasses <= 1_000_000, "numClasses must be at most 1000000, got " + numClasses);
      check(normEps > 0 && normEps < 1, "normEps must be in (0, 1), got " + normEps);
      check(freqShift >= 0 && freqShift < baseChannels / 2, "freqShift must be in [0, " + baseChannels / 2 + "), got "
          + freqShift);
      check(timeEmbeddingDim >= 0 && timeEmbeddingDim <= 1 << 16, "timeEmbeddingDim must be in [0, 65536], got "
          + timeEmbeddingDim);
      check(midBlockScaleFactor > 0 && Double.isFinite(midBlockScaleFactor), "midBlockScaleFactor must be > 0, got "
          + midBlockScaleFactor);
      check(midAttentionGroups >= 0, "midAttentionGroups must be >= 0, got " + midAttentionGroups);
      check(classEmbedding != null, "classEmbedding must be table or timestep");
      for (int a : attentionResolutions) {
        check(resolutions.contains(a), "attention resolution " + a + " is not one of the model's resolutions " + resolutions);
      }
      for (int a : upAttentionResolutions == null ? List.<Integer>of() : upAttentionResolutions) {
        check(resolutions.contains(a), "up attention resolution " + a + " is not one of the model's resolutions "
            + resolutions);
      }
      UNetConfig c = new UNetConfig(this);
      for (int i = 0; i < levels; i++) {
        int ch = c.channels(i);
        check(ch % groups == 0, "channels " + ch + " at level " + i + " not divisible by groups " + groups);
        boolean mid = i == levels - 1 && midBlock && midAttention;
        if (c.attention(i, false) || c.attention(i, true) || mid) {
          check(headDim > 0 ? ch % headDim == 0 : ch % heads == 0, "channels " + ch + " at level " + i
              + " not divisible by " + (headDim > 0 ? "headDim " + headDim : "heads " + heads));
        }
        if (mid && c.midAttentionNormGroups() > 0) {
          check(ch % c.midAttentionNormGroups() == 0, "channels " + ch + " of the middle attention not divisible by "
              + "midAttentionGroups " + c.midAttentionNormGroups());
        }
      }
      check(baseChannels % groups == 0, "baseChannels not divisible by groups " + groups);
      double params = c.count();
      check(params <= MAX_PARAMETERS, String.format(Locale.ROOT, "a U-Net of channels %s and %d ResBlocks per level has"
          + " %.3g parameters, more than the %d (%d GiB of float32) a model may have", c.blockOutChannels(),
          numResBlocks, params, MAX_PARAMETERS, MAX_PARAMETERS * 4 >> 30));
      return c;
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}