package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.ForwardProcess;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * Spherical linear interpolation (Shoemake 1985), the interpolation DDIM latents call for (Song et
 * al. 2021, Sec. 5.3 and App. D.5), per image over all its values:
 *
 * <pre>theta = arccos(&lt;z0, z1&gt; / (|z0| |z1|))
 * slerp(z0, z1; a) = sin((1 - a) theta) / sin(theta) z0 + sin(a theta) / sin(theta) z1</pre>
 *
 * Nearly parallel pairs (sin theta &lt; 1e-6) and zero latents fall back to linear interpolation.
 */
public final class Slerp {
  private Slerp() {}

  /**
   * Interpolates image i of {@code z0} with image i of {@code z1} ([B, C, H, W] each) at {@code a}
   * (0 gives z0, 1 gives z1).
   */
  public static Tensor slerp(Tensor z0, Tensor z1, double a) {
    float[] u = Torch.toFloats(z0);
    float[] v = Torch.toFloats(z1);
    if (u.length != v.length) {
      throw new IllegalArgumentException("slerp needs latents of equal shape");
    }
    int batch = (int) z0.size(0);
    int per = u.length / batch;
    double[] w0 = new double[batch];
    double[] w1 = new double[batch];
    for (int b = 0; b < batch; b++) {
      double dot = 0;
      double uu = 0;
      double vv = 0;
      for (int k = b * per; k < (b + 1) * per; k++) {
        dot += (double) u[k] * v[k];
        uu += (double) u[k] * u[k];
        vv += (double) v[k] * v[k];
      }
      double theta = uu > 0 && vv > 0 ? Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(uu * vv)))) : 0;
      double sin = Math.sin(theta);
      if (sin < 1e-6) {
        w0[b] = 1 - a;
        w1[b] = a;
      } else {
        w0[b] = Math.sin((1 - a) * theta) / sin;
        w1[b] = Math.sin(a * theta) / sin;
      }
    }
    return ForwardProcess.perImage(w0).mul(z0).add(ForwardProcess.perImage(w1).mul(z1));
  }
}
