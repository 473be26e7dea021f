package io.jdiffusion.image;

/**
 * Separable, antialiased bilinear resampling of float image planes.
 *
 * <p>Each output pixel is a normalised weighted sum of source pixels under a triangle (tent)
 * filter centred on the output pixel's centre in source coordinates (half-pixel convention, like
 * {@code align_corners=False}). When shrinking, the filter is widened by the shrink factor, so
 * every source pixel contributes (area-averaging behaviour, no aliasing); when enlarging it is
 * plain bilinear interpolation. This is the same scheme as Pillow's {@code BILINEAR} filter.
 *
 * <p>An {@link Axis} describes one dimension; {@link #centerCrop} builds the two axes for "resize
 * the shorter side to {@code size}, then centre-crop to {@code size x size}" in a single pass.
 */
public final class Resample {
  private Resample() {}

  /**
   * Precomputed filter taps mapping a window of a source line to an output line.
   *
   * <p>Output sample {@code i} is {@code sum_k weight[i][k] * src[first[i] + k]}.
   */
  public static final class Axis {
    private final int inSize;
    private final int outSize;
    private final int[] first;
    private final float[][] weights;

    private Axis(int inSize, int outSize, int[] first, float[][] weights) {
      this.inSize = inSize;
      this.outSize = outSize;
      this.first = first;
      this.weights = weights;
    }

    /** Length of the source line. */
    public int inSize() {
      return inSize;
    }

    /** Length of the output line. */
    public int outSize() {
      return outSize;
    }

    /** Smallest source index any output sample reads. */
    public int minSource() {
      return first[0];
    }

    /** One past the largest source index any output sample reads. */
    public int maxSource() {
      int last = outSize - 1;
      return first[last] + weights[last].length;
    }

    /**
     * Resamples one line: reads {@code src[srcOff + x*srcStride]} for source index {@code x},
     * writes {@code dst[dstOff + i*dstStride]} for output index {@code i}.
     */
    public void apply(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
      for (int i = 0; i < outSize; i++) {
        float[] w = weights[i];
        int p = srcOff + first[i] * srcStride;
        float acc = 0f;
        for (int k = 0; k < w.length; k++, p += srcStride) {
          acc += w[k] * src[p];
        }
        dst[dstOff + i * dstStride] = acc;
      }
    }
  }

  /**
   * Builds the taps that map the source window {@code [srcStart, srcStart + srcLength)} (in pixel
   * units, fractional allowed) of a line of {@code inSize} pixels onto {@code outSize} pixels.
   * Taps falling outside {@code [0, inSize)} are dropped and the rest renormalised, which amounts
   * to edge clamping.
   */
  public static Axis axis(int inSize, double srcStart, double srcLength, int outSize) {
    if (inSize <= 0 || outSize <= 0 || !(srcLength > 0)) {
      throw new IllegalArgumentException(
          "bad resample axis: in=" + inSize + " window=" + srcLength + " out=" + outSize);
    }
    double scale = srcLength / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale; // the tent filter has radius 1, scaled when shrinking
    int[] first = new int[outSize];
    float[][] weights = new float[outSize][];
    for (int i = 0; i < outSize; i++) {
      double center = srcStart + (i + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
      int hi = Math.min(inSize, (int) Math.floor(center + support + 0.5));
      if (hi <= lo) { // window entirely outside the line: clamp to the nearest edge pixel
        lo = Math.min(Math.max(0, (int) Math.floor(center)), inSize - 1);
        hi = lo + 1;
      }
      double[] w = new double[hi - lo];
      double sum = 0;
      for (int x = lo; x < hi; x++) {
        double t = Math.abs((x + 0.5 - center) / filterScale);
        double v = t < 1 ? 1 - t : 0;
        w[x - lo] = v;
        sum += v;
      }
      // trim zero-weight taps at both ends
      int a = 0;
      int b = w.length;
      while (a < b - 1 && w[a] == 0) {
        a++;
      }
      while (b > a + 1 && w[b - 1] == 0) {
        b--;
      }
      float[] fw = new float[b - a];
      for (int k = a; k < b; k++) {
        fw[k - a] = sum > 0 ? (float) (w[k] / sum) : 1f / (b - a);
      }
      first[i] = lo + a;
      weights[i] = fw;
    }
    return new Axis(inSize, outSize, first, weights);
  }

  /**
   * The two axes for resizing an {@code inHeight x inWidth} image so its shorter side becomes
   * {@code size}, then cropping the central {@code size x size} square, as one resampling step.
   *
   * @return {@code {yAxis, xAxis}}
   */
  public static Axis[] centerCrop(int inHeight, int inWidth, int size) {
    int side = Math.min(inHeight, inWidth);
    return new Axis[] {
      axis(inHeight, (inHeight - side) / 2.0, side, size),
      axis(inWidth, (inWidth - side) / 2.0, side, size)
    };
  }

  /**
   * Resamples one {@code ys.inSize() x xs.inSize()} plane stored row-major at {@code src[srcOff]}
   * into a {@code ys.outSize() x xs.outSize()} plane at {@code dst[dstOff]}.
   */
  public static void plane(float[] src, int srcOff, Axis ys, Axis xs, float[] dst, int dstOff) {
    int inW = xs.inSize();
    int outW = xs.outSize();
    int y0 = ys.minSource();
    int y1 = ys.maxSource();
    float[] tmp = new float[(y1 - y0) * outW];
    for (int y = y0; y < y1; y++) {
      xs.apply(src, srcOff + y * inW, 1, tmp, (y - y0) * outW, 1);
    }
    for (int x = 0; x < outW; x++) { // tmp row 0 holds source row y0, hence the shifted offset
      ys.apply(tmp, x - y0 * outW, outW, dst, dstOff + x, outW);
    }
  }
}
