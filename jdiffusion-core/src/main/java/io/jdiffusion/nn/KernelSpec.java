package io.jdiffusion.nn;

import java.util.Locale;

/**
 * One kernel configuration, as the models of this project call it: what {@link KernelCheck} checks and
 * {@link Kernels} remembers a verdict for. The batch size is not part of a spec (the checks run at a
 * small fixed batch); the precision is.
 *
 * <p>Large sizes are checked at a capped size ({@link #checkedSide}, {@link #checkedTokens}): the
 * defect these checks exist for (AMD Zen 5, oneDNN 3.7.1, docs/cpus.md) is in the kernels for partial
 * 16-channel blocks, a property of the channel counts, precision and thread split, and was seen at every
 * spatial size probed (8x8 to 32x32). A side above {@value #SIDE_CAP} + 16 is checked at {@value #SIDE_CAP}
 * plus its remainder modulo 16, which keeps the tail a 16-wide (or 8-wide) vector loop leaves and the
 * parity a stride-2 kernel sees; convolutions whose channel counts are whole blocks, never seen wrong, are
 * checked at 16 plus the remainder ({@link #checkedConvSide}). So a 512x512 VAE convolution is checked at
 * 16x16, where the full size needed 12.9 GB in float64 and minutes per shape.
 */
public sealed interface KernelSpec {
  /** Sides up to this plus 16 are checked as they are. */
  int SIDE_CAP = 32;
  /** Attention over up to this many tokens plus 512 is checked as it is. */
  int TOKEN_CAP = 1024;

  /** The side a spatial size is checked at: itself up to 48, else 32 + side mod 16. */
  static int checkedSide(int side) {
    return side <= SIDE_CAP + 16 ? side : SIDE_CAP + side % 16;
  }

  /**
   * The side a convolution is checked at: as {@link #checkedSide} where a channel count is a partial
   * 16-channel block (where the defect lives); for full blocks, which no CPU has been seen to get wrong,
   * itself up to 31, else 16 + side mod 16 (the check of a 1280-channel convolution costs seconds per
   * doubling of the side).
   */
  static int checkedConvSide(int side, int in, int out) {
    if (in % 16 != 0 || out % 16 != 0) {
      return checkedSide(side);
    }
    return side < 2 * 16 ? side : 16 + side % 16;
  }

  /**
   * The token count attention is checked at: itself up to 1,536, else 1,024 + tokens mod 512, which keeps
   * the tails of libtorch's flash-attention blocks (queries in blocks of up to 256, keys of 512).
   */
  static int checkedTokens(int tokens) {
    return tokens <= TOKEN_CAP + 512 ? tokens : TOKEN_CAP + tokens % 512;
  }

  /** Stable identifier, used as the key of the on-disk cache. */
  String key();

  /** Short human-readable form for logs and {@code doctor}. */
  String describe();

  /** The precision the kernel runs in. */
  Precision precision();

  /** A square-kernel convolution, [B, in, height, width] -> [B, out, ., .]; sides as {@link #checkedConvSide}. */
  record Conv(int in, int out, int kernel, int stride, int height, int width, Precision precision)
      implements KernelSpec {
    public Conv {
      height = checkedConvSide(height, in, out);
      width = checkedConvSide(width, in, out);
    }

    @Override
    public String key() {
      return String.format(Locale.ROOT, "conv:%d:%d:%d:%d:%d:%d:%s", in, out, kernel, stride, height, width, precision);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "conv %d->%d %dx%d stride %d at %dx%d %s", in, out, kernel, kernel, stride,
          height, width, precision.name().toLowerCase(Locale.ROOT));
    }

    /** "same" padding of odd kernels, as {@link Conv2d} uses. */
    public int padding() {
      return kernel / 2;
    }
  }

  /** GroupNorm over [B, channels, height, width] with fp32 affine parameters; sides as {@link #checkedSide}. */
  record GroupNormSpec(int groups, int channels, int height, int width, Precision precision) implements KernelSpec {
    public GroupNormSpec {
      height = checkedSide(height);
      width = checkedSide(width);
    }

    @Override
    public String key() {
      return String.format(Locale.ROOT, "group_norm:%d:%d:%d:%d:%s", groups, channels, height, width, precision);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "group_norm %d channels / %d groups at %dx%d %s", channels, groups, height,
          width, precision.name().toLowerCase(Locale.ROOT));
    }
  }

  /** A linear layer [*, in] -> [*, out]. */
  record LinearSpec(int in, int out, Precision precision) implements KernelSpec {
    @Override
    public String key() {
      return String.format(Locale.ROOT, "linear:%d:%d:%s", in, out, precision);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "linear %d->%d %s", in, out, precision.name().toLowerCase(Locale.ROOT));
    }
  }

  /** Scaled dot-product attention over {@code tokens} positions ({@link #checkedTokens}), {@code heads} x {@code headDim}; fp32. */
  record AttentionSpec(int heads, int tokens, int headDim) implements KernelSpec {
    public AttentionSpec {
      tokens = checkedTokens(tokens);
    }

    @Override
    public String key() {
      return String.format(Locale.ROOT, "attention:%d:%d:%d", heads, tokens, headDim);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "attention %d heads x %d dims over %d tokens fp32", heads, headDim, tokens);
    }

    @Override
    public Precision precision() {
      return Precision.FP32;
    }
  }
}
