package io.jdiffusion.sampling;

import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.UNet;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link UNet} as a {@link Denoiser}: evaluation mode, the given precision, and fixed class
 * labels (or none). Callers run it under inference mode.
 */
public final class UNetDenoiser implements Denoiser {
  private final UNet net;
  private final Prediction prediction;
  private final int[] labels;
  private final Forward forward;

  /**
   * @param labels one class per image for conditional models ({@code numClasses} = no label), else null
   */
  public UNetDenoiser(UNet net, Prediction prediction, int[] labels, Precision precision) {
    this.net = net;
    this.prediction = prediction;
    this.labels = labels;
    this.forward = new Forward(precision, false);
  }

  @Override
  public Prediction prediction() {
    return prediction;
  }

  @Override
  public Tensor output(Tensor xt, double t) {
    double[] ts = new double[(int) xt.size(0)];
    Arrays.fill(ts, t);
    return net.forward(xt, ts, labels, forward);
  }
}
