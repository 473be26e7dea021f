package io.jdiffusion.nn;

import java.util.Locale;

/**
 * One kernel at one shape, as the models of this project call it: what {@link KernelCheck} checks and
 * {@link Kernels} remembers a verdict for. The batch size is not part of a spec (the checks run at a
 * small fixed batch); the precision is.
 */
public sealed interface KernelSpec {
  /** Stable identifier, used as the key of the on-disk cache. */
  String key();

  /** Short human-readable form for logs and {@code doctor}. */
  String describe();

  /** The precision the kernel runs in. */
  Precision precision();

  /** A square-kernel convolution, [B, in, height, width] -> [B, out, ., .]. */
  record Conv(int in, int out, int kernel, int stride, int height, int width, Precision precision)
      implements KernelSpec {
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

  /** GroupNorm over [B, channels, height, width] with fp32 affine parameters. */
  record GroupNormSpec(int groups, int channels, int height, int width, Precision precision) implements KernelSpec {
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

  /** Scaled dot-product attention over {@code tokens} positions, {@code heads} x {@code headDim}; fp32. */
  record AttentionSpec(int heads, int tokens, int headDim) implements KernelSpec {
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
