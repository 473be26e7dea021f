package io.jdiffusion.train;

import java.util.Locale;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Regression loss between the network output and its target, averaged over all elements. */
public enum Loss {
  /** Mean squared error, Ho et al. 2020's L_simple (eq. 14). */
  L2,
  /** Mean absolute error. */
  L1,
  /** Huber: quadratic within delta, linear beyond. */
  HUBER;

  private static final long MEAN = 1; // at::Reduction::Mean

  public static Loss parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown loss '" + s + "' (expected l2, l1 or huber)");
    }
  }

  /** The scalar loss, computed in float32. */
  public Tensor of(Tensor out, Tensor target, double huberDelta) {
    return switch (this) {
      case L2 -> torch.mse_loss(out, target, MEAN);
      case L1 -> torch.l1_loss(out, target, MEAN);
      case HUBER -> torch.huber_loss(out, target, MEAN, huberDelta);
    };
  }
}
