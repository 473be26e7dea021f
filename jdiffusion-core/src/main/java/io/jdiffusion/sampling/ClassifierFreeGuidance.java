package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022, eq. 6) for a class-conditional U-Net trained with
 * label dropout: the conditional and the unconditional ("no label", index numClasses) outputs come
 * from one forward pass over 2B images, and are combined on the network output, whatever it
 * predicts (diffusers' convention):
 *
 * <pre>out = out_uncond + w (out_cond - out_uncond)</pre>
 *
 * w = 0 is the unconditional model, w = 1 the conditional one, w &gt; 1 sharpens the class.
 * Callers run it under inference mode.
 */
public final class ClassifierFreeGuidance implements Denoiser {
  private final UNet net;
  private final Prediction prediction;
  private final int[] labels;
  private final double guidance;
  private final Forward forward;

  /**
   * @param labels the class of each image, in [0, numClasses)
   * @param guidance the guidance weight w
   */
  public ClassifierFreeGuidance(UNet net, Prediction prediction, int[] labels, double guidance, Precision precision) {
    int classes = net.config().numClasses();
    if (classes == 0) {
      throw new IllegalArgumentException("classifier-free guidance needs a class-conditional model");
    }
    for (int label : labels) {
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("class index " + label + " is outside [0, " + classes + ")");
      }
    }
    if (!Double.isFinite(guidance)) {
      throw new IllegalArgumentException("guidance weight must be finite, got " + guidance);
    }
    this.net = net;
    this.prediction = prediction;
    this.labels = labels.clone();
    this.guidance = guidance;
    this.forward = new Forward(precision, false);
  }

  @Override
  public Prediction prediction() {
    return prediction;
  }

  @Override
  public Tensor output(Tensor xt, double t) {
    int n = (int) xt.size(0);
    if (n != labels.length) {
      throw new IllegalArgumentException(n + " images but " + labels.length + " labels");
    }
    int[] both = Arrays.copyOf(labels, 2 * n);
    Arrays.fill(both, n, 2 * n, net.config().numClasses());
    double[] ts = new double[2 * n];
    Arrays.fill(ts, t);
    return Torch.scoped(() -> {
      Tensor out = net.forward(Torch.cat(0, xt, xt), ts, both, forward);
      Tensor cond = out.narrow(0, 0, n);
      Tensor uncond = out.narrow(0, n, n);
      return uncond.add(cond.sub(uncond).mul(Torch.s(guidance)));
    });
  }
}
