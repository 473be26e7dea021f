package io.jdiffusion.nn;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Numerical self-check of one libtorch kernel at one shape against float64 on the same machine.
 *
 * <p>Inputs, weights and the upstream gradient g are drawn from generators seeded by the spec (never
 * from libtorch's default generator, so a check never changes a run's random stream), rounded to the
 * kernel's precision, and the same rounded values are fed to the float64 reference. For y = f(x; W)
 * the check compares y, dL/dx and dL/dW of L = sum(y * g) by relative L1 error,
 * sum|a - a64| / sum|a64|, against {@link #tolerance}: 1e-4 in fp32 (correct kernels measured at
 * 1e-7..5e-6) and 2e-2 in bf16 (correct kernels 2e-3..3e-3 from bf16 rounding of the output; the
 * kernels found wrong on AMD Zen 5 were off by 0.1 to 1, or NaN).
 *
 * <p>A convolution is checked at several batch sizes and thread counts ({@link #conv(KernelSpec.Conv,
 * String, ConvKernel)}); the other kernels run {@link #REPEATS} times. The worst result counts: some
 * wrong kernels were wrong only in some runs.
 *
 * <p>Each check comes in two kinds: with gradients (what training uses: y, dL/dx, dL/dW) and forward
 * only (what sampling uses: y alone, a third of the work; the gradient errors are reported as 0).
 */
public final class KernelCheck {
  /**
   * Version of the checks and routes: part of the cache identity, so that verdicts made by older code
   * are never reused. Raise it whenever a check, a tolerance or a route changes.
   */
  public static final int VERSION = 2;

  /** How often the kernel under test runs per check. */
  public static final int REPEATS = 2;

  private KernelCheck() {}

  /** A convolution implementation under test (a {@link ConvRoute}, or a deliberately wrong one in tests). */
  @FunctionalInterface
  public interface ConvKernel {
    Tensor apply(Tensor x, Tensor w, Tensor b, long[] stride, long[] padding);
  }

  /**
   * Relative errors of one check (0 where a quantity does not apply).
   *
   * @param kernel what was checked (route or kernel name)
   * @param output error of the forward output
   * @param inputGrad error of the input gradient(s)
   * @param weightGrad error of the weight gradient
   * @param tolerance the bound each must stay under
   */
  public record Result(String kernel, double output, double inputGrad, double weightGrad, double tolerance) {
    /** True when every error is finite and under the tolerance. */
    public boolean passed() {
      return output < tolerance && inputGrad < tolerance && weightGrad < tolerance;
    }

    Result worst(Result o) {
      return new Result(kernel, Math.max(output, o.output), Math.max(inputGrad, o.inputGrad),
          Math.max(weightGrad, o.weightGrad), tolerance);
    }
  }

  /** The error bound for a precision. */
  public static double tolerance(Precision p) {
    return p == Precision.FP32 ? 1e-4 : 2e-2;
  }

  /**
   * Where a convolution is checked: pairs (batch, threads), threads 0 meaning the current count. With a
   * partial channel block, the wrong kernels seen on AMD Zen 5 were wrong at every batch of 2 or more
   * with one thread, and with two threads at some batch sizes only (how the work splits between
   * threads): batch 2 on one thread, 3 and 5 on all. Full-block convolutions were never seen wrong:
   * batch 2 on one thread and on all.
   */
  static int[][] conditions(KernelSpec.Conv s) {
    return ConvRoute.partialBlock(s.in(), s.out()) ? new int[][] {{2, 1}, {3, 0}, {5, 0}} : new int[][] {{2, 1}, {2, 0}};
  }

  /**
   * Checks {@code kernel} for the convolution {@code s}: output, input gradient and weight gradient,
   * under each of {@link #conditions}; the worst result counts.
   */
  public static Result conv(KernelSpec.Conv s, String name, ConvKernel kernel) {
    return conv(s, name, kernel, true);
  }

  /** As {@link #conv(KernelSpec.Conv, String, ConvKernel)}; {@code gradients} false checks the output alone. */
  public static Result conv(KernelSpec.Conv s, String name, ConvKernel kernel, boolean gradients) {
    int current = torch.get_num_threads();
    java.util.Map<Integer, java.util.Set<Integer>> threadsByBatch = new java.util.LinkedHashMap<>();
    for (int[] c : conditions(s)) {
      threadsByBatch.computeIfAbsent(c[0], b -> new java.util.LinkedHashSet<>()).add(c[1] == 0 ? current : c[1]);
    }
    Result worst = null;
    try {
      for (var e : threadsByBatch.entrySet()) {
        int[] threads = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        Result r = conv(s, e.getKey(), threads, name, kernel, gradients);
        worst = worst == null ? r : worst.worst(r);
      }
    } finally {
      torch.set_num_threads(current);
    }
    return worst;
  }

  /** Checks {@code kernel} for the convolution {@code s} at batch size {@code batch} with the current threads. */
  public static Result conv(KernelSpec.Conv s, int batch, String name, ConvKernel kernel) {
    return conv(s, batch, new int[] {torch.get_num_threads()}, name, kernel, true);
  }

  /** One float64 reference at {@code batch}, the kernel run once per thread count; the worst result. */
  private static Result conv(KernelSpec.Conv s, int batch, int[] threadCounts, String name, ConvKernel kernel,
      boolean gradients) {
    try (PointerScope scope = new PointerScope(); InferenceMode off = new InferenceMode(false);
        AutoGradMode grad = new AutoGradMode(true)) {
      ScalarType dt = s.precision().dtype;
      SplittableRandom rng = new SplittableRandom(s.key().hashCode() * 31L + batch);
      long[] stride = {s.stride(), s.stride()};
      long[] pad = {s.padding(), s.padding()};
      Tensor x = randn(rng, dt, batch, s.in(), s.height(), s.width());
      Tensor w = randn(rng, dt, s.out(), s.in(), s.kernel(), s.kernel()).mul(Torch.s(1.0 / Math.sqrt(s.in() * s.kernel() * s.kernel())));
      Tensor b = randn(rng, dt, s.out());
      int ho = (s.height() + 2 * s.padding() - s.kernel()) / s.stride() + 1;
      int wo = (s.width() + 2 * s.padding() - s.kernel()) / s.stride() + 1;
      Tensor g = randn(rng, dt, batch, s.out(), ho, wo);
      // the float64 reference is im2col + OpenBLAS's dgemm, which runs on one thread unless told otherwise
      Tensor[] ref;
      openblas_nolapack.blas_set_num_threads(torch.get_num_threads());
      try {
        ref = convGrads(ConvRoute.IM2COL::apply, x.to(ScalarType.Double), w.to(ScalarType.Double),
            b.to(ScalarType.Double), g.to(ScalarType.Double), stride, pad, gradients);
      } finally {
        openblas_nolapack.blas_set_num_threads(1); // as Torch.init leaves it: two pools would fight
      }
      Result worst = null;
      for (int threads : threadCounts) {
        torch.set_num_threads(threads);
        Tensor[] got = convGrads(kernel, x, w, b, g, stride, pad, gradients);
        Result r = new Result(name, err(got[0], ref[0]), err(got[1], ref[1]), err(got[2], ref[2]),
            tolerance(s.precision()));
        worst = worst == null ? r : worst.worst(r);
      }
      return worst;
    }
  }

  /** y, dx, dW for L = sum(y * g); y and two nulls without {@code gradients}. */
  private static Tensor[] convGrads(ConvKernel k, Tensor x0, Tensor w0, Tensor b0, Tensor g, long[] stride,
      long[] pad, boolean gradients) {
    if (!gradients) {
      try (NoGradGuard off = new NoGradGuard()) {
        return new Tensor[] {k.apply(x0, w0, b0, stride, pad), null, null};
      }
    }
    Tensor x = x0.detach().clone().requires_grad_(true);
    Tensor w = w0.detach().clone().requires_grad_(true);
    Tensor b = b0.detach().clone().requires_grad_(true);
    Tensor y = k.apply(x, w, b, stride, pad);
    y.mul(g).sum().backward();
    return new Tensor[] {y, x.grad(), w.grad()};
  }

  /** Checks libtorch's GroupNorm (fp32 affine parameters, activations in the spec's precision). */
  public static Result groupNorm(KernelSpec.GroupNormSpec s) {
    return groupNorm(s, true);
  }

  /** As {@link #groupNorm(KernelSpec.GroupNormSpec)}; {@code gradients} false checks the output alone. */
  public static Result groupNorm(KernelSpec.GroupNormSpec s, boolean gradients) {
    try (PointerScope scope = new PointerScope(); InferenceMode off = new InferenceMode(false);
        AutoGradMode grad = new AutoGradMode(true)) {
      SplittableRandom rng = new SplittableRandom(s.key().hashCode());
      Tensor x = randn(rng, s.precision().dtype, 1, s.channels(), s.height(), s.width()).mul(Torch.s(3)).add(Torch.s(1));
      Tensor w = randn(rng, ScalarType.Float, s.channels());
      Tensor b = randn(rng, ScalarType.Float, s.channels());
      Tensor g = randn(rng, s.precision().dtype, 1, s.channels(), s.height(), s.width());
      return affine("libtorch group_norm", x, w, b, g, s.precision(), gradients, (xi, wi, bi) -> torch.group_norm(xi,
          s.groups(), new TensorOptional(wi), new TensorOptional(bi), 1e-5, true));
    }
  }

  /** Checks libtorch's linear layer (weights cast to the spec's precision, as {@link Linear} does). */
  public static Result linear(KernelSpec.LinearSpec s) {
    return linear(s, true);
  }

  /** As {@link #linear(KernelSpec.LinearSpec)}; {@code gradients} false checks the output alone. */
  public static Result linear(KernelSpec.LinearSpec s, boolean gradients) {
    try (PointerScope scope = new PointerScope(); InferenceMode off = new InferenceMode(false);
        AutoGradMode grad = new AutoGradMode(true)) {
      SplittableRandom rng = new SplittableRandom(s.key().hashCode());
      ScalarType dt = s.precision().dtype;
      Tensor x = randn(rng, dt, 8, s.in());
      Tensor w = randn(rng, dt, s.out(), s.in()).mul(Torch.s(1.0 / Math.sqrt(s.in())));
      Tensor b = randn(rng, dt, s.out());
      Tensor g = randn(rng, dt, 8, s.out());
      return affine("libtorch linear", x, w, b, g, s.precision(), gradients,
          (xi, wi, bi) -> torch.linear(xi, wi, new TensorOptional(bi)));
    }
  }

  /**
   * Checks libtorch's fused scaled_dot_product_attention (fp32) against softmax(q k^T / sqrt(d)) v
   * written out in float64; the input-gradient error is the worst of dq, dk and dv.
   */
  public static Result attention(KernelSpec.AttentionSpec s) {
    return attention(s, true);
  }

  /** As {@link #attention(KernelSpec.AttentionSpec)}; {@code gradients} false checks the output alone. */
  public static Result attention(KernelSpec.AttentionSpec s, boolean gradients) {
    try (PointerScope scope = new PointerScope(); InferenceMode off = new InferenceMode(false);
        AutoGradMode grad = new AutoGradMode(true)) {
      SplittableRandom rng = new SplittableRandom(s.key().hashCode());
      long[] shape = {2, s.heads(), s.tokens(), s.headDim()};
      Tensor q = randn(rng, ScalarType.Float, shape);
      Tensor k = randn(rng, ScalarType.Float, shape);
      Tensor v = randn(rng, ScalarType.Float, shape);
      Tensor g = randn(rng, ScalarType.Float, shape);
      double scale = 1.0 / Math.sqrt(s.headDim());
      Tensor[] ref = attentionGrads(q.to(ScalarType.Double), k.to(ScalarType.Double), v.to(ScalarType.Double),
          g.to(ScalarType.Double), gradients, (qi, ki, vi) -> torch.softmax(torch.matmul(qi, ki.transpose(-2, -1)).mul(Torch.s(scale)),
              -1).matmul(vi));
      Result worst = null;
      for (int rep = 0; rep < REPEATS; rep++) {
        Tensor[] got = attentionGrads(q, k, v, g, gradients,
            (qi, ki, vi) -> torch.scaled_dot_product_attention(qi, ki, vi));
        double dIn = Math.max(err(got[1], ref[1]), Math.max(err(got[2], ref[2]), err(got[3], ref[3])));
        Result r = new Result("libtorch scaled_dot_product_attention", err(got[0], ref[0]), dIn, 0,
            tolerance(Precision.FP32));
        worst = worst == null ? r : worst.worst(r);
      }
      return worst;
    }
  }

  /** A function of three tensors (input, weight, bias) or (q, k, v). */
  @FunctionalInterface
  private interface Op3 {
    Tensor apply(Tensor a, Tensor b, Tensor c);
  }

  /** y = op(x; w, b) against float64: output, dx and dw errors, the worst of {@link #REPEATS} runs. */
  private static Result affine(String name, Tensor x, Tensor w, Tensor b, Tensor g, Precision p, boolean gradients,
      Op3 op) {
    Tensor[] ref = affineGrads(x.to(ScalarType.Double), w.to(ScalarType.Double), b.to(ScalarType.Double),
        g.to(ScalarType.Double), gradients, op);
    Result worst = null;
    for (int rep = 0; rep < REPEATS; rep++) {
      Tensor[] got = affineGrads(x, w, b, g, gradients, op);
      Result r = new Result(name, err(got[0], ref[0]), err(got[1], ref[1]), err(got[2], ref[2]), tolerance(p));
      worst = worst == null ? r : worst.worst(r);
    }
    return worst;
  }

  private static Tensor[] affineGrads(Tensor x0, Tensor w0, Tensor b0, Tensor g, boolean gradients, Op3 op) {
    if (!gradients) {
      try (NoGradGuard off = new NoGradGuard()) {
        return new Tensor[] {op.apply(x0, w0, b0), null, null};
      }
    }
    Tensor x = x0.detach().clone().requires_grad_(true);
    Tensor w = w0.detach().clone().requires_grad_(true);
    Tensor b = b0.detach().clone().requires_grad_(true);
    Tensor y = op.apply(x, w, b);
    y.mul(g.to(y.scalar_type())).sum().backward();
    return new Tensor[] {y, x.grad(), w.grad()};
  }

  private static Tensor[] attentionGrads(Tensor q0, Tensor k0, Tensor v0, Tensor g, boolean gradients, Op3 op) {
    if (!gradients) {
      try (NoGradGuard off = new NoGradGuard()) {
        return new Tensor[] {op.apply(q0, k0, v0), null, null, null};
      }
    }
    Tensor q = q0.detach().clone().requires_grad_(true);
    Tensor k = k0.detach().clone().requires_grad_(true);
    Tensor v = v0.detach().clone().requires_grad_(true);
    Tensor y = op.apply(q, k, v);
    y.mul(g).sum().backward();
    return new Tensor[] {y, q.grad(), k.grad(), v.grad()};
  }

  /** Relative L1 error sum|a - ref| / sum|ref|; +infinity for NaN or infinite values; 0 where not computed (null). */
  static double err(Tensor a, Tensor ref) {
    if (a == null || ref == null) {
      return 0;
    }
    double num = a.to(ScalarType.Double).sub(ref).abs().sum().item_double();
    double den = ref.abs().sum().item_double();
    double e = den > 0 ? num / den : num;
    return Double.isFinite(e) ? e : Double.POSITIVE_INFINITY;
  }

  /**
   * Standard normal values, rounded to {@code dt}, from a CPU generator of their own seeded by {@code rng}
   * (libtorch's default generator, which a run's noise comes from, is never touched); vectorised, where
   * drawing the 29 M weights of a 2560->1280 convolution in Java took a second.
   */
  private static Tensor randn(SplittableRandom rng, ScalarType dt, long... shape) {
    Tensor t = Torch.cpuRandn(torch.createCPUGenerator(rng.nextLong()), shape);
    return dt == ScalarType.Float ? t : t.to(dt);
  }

}
