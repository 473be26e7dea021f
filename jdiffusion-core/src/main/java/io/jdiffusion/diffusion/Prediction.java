package io.jdiffusion.diffusion;

import java.util.Locale;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * What the network predicts, and the one place that converts between eps, x0 and v.
 *
 * <p>With a = sqrt(alphaBar_t), b = sqrt(1 - alphaBar_t) and x_t = a x0 + b eps (Ho et al. 2020,
 * eq. 4), and v = a eps - b x0 (Salimans &amp; Ho 2022, Sec. 4):
 *
 * <pre>x0 = (x_t - b eps) / a          eps = (x_t - a x0) / b
 * x0 = a x_t - b v                 eps = b x_t + a v</pre>
 *
 * The coefficients a and b are tensors broadcastable against the images ([B,1,1,1] for per-image
 * timesteps, or 0-dimensional for a shared timestep).
 */
public enum Prediction {
  /** The noise eps (Ho et al. 2020). */
  EPS,
  /** The clean image x0. */
  X0,
  /** The velocity v = a eps - b x0 (Salimans &amp; Ho 2022). */
  V;

  public static Prediction parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown prediction type '" + s + "' (expected eps, x0 or v)");
    }
  }

  /** The regression target for this parameterization, given the clean image and the noise. */
  public Tensor target(Tensor x0, Tensor eps, Tensor a, Tensor b) {
    return switch (this) {
      case EPS -> eps;
      case X0 -> x0;
      case V -> a.mul(eps).sub(b.mul(x0));
    };
  }

  /** The clean-image estimate x0 implied by the network output at x_t. */
  public Tensor toX0(Tensor xt, Tensor out, Tensor a, Tensor b) {
    return switch (this) {
      case EPS -> xt.sub(b.mul(out)).div(a);
      case X0 -> out;
      case V -> a.mul(xt).sub(b.mul(out));
    };
  }

  /** {@link #toX0} with coefficients shared by the batch, applied in double precision. */
  public Tensor toX0(Tensor xt, Tensor out, double a, double b) {
    return switch (this) {
      case EPS -> xt.sub(out.mul(new Scalar(b))).div(new Scalar(a));
      case X0 -> out;
      case V -> xt.mul(new Scalar(a)).sub(out.mul(new Scalar(b)));
    };
  }

  /** {@link #toEps} with coefficients shared by the batch, applied in double precision. */
  public Tensor toEps(Tensor xt, Tensor out, double a, double b) {
    return switch (this) {
      case EPS -> out;
      case X0 -> xt.sub(out.mul(new Scalar(a))).div(new Scalar(b));
      case V -> xt.mul(new Scalar(b)).add(out.mul(new Scalar(a)));
    };
  }

  /** The noise estimate eps implied by the network output at x_t. */
  public Tensor toEps(Tensor xt, Tensor out, Tensor a, Tensor b) {
    return switch (this) {
      case EPS -> out;
      case X0 -> xt.sub(a.mul(out)).div(b);
      case V -> b.mul(xt).add(a.mul(out));
    };
  }
}
