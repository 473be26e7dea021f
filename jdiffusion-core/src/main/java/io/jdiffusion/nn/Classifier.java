package io.jdiffusion.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A small all-convolutional image classifier, built from the same parts as {@link UNet}, whose
 * penultimate activations serve as domain features for evaluation (the role Inception-v3's pool3
 * plays in FID, Heusel et al. 2017):
 *
 * <pre>h = SiLU(GN(conv3x3(x)))                                  stage 0, full resolution
 * h = SiLU(GN(conv3x3(SiLU(GN(conv3x3/2(h))))))              stages 1.., each halves H and W
 * features = SiLU(Linear(flatten(h)))                         [B, featureDim]
 * logits = Linear(features)                                   [B, numClasses]</pre>
 *
 * Inputs are images in [-1, 1], like the diffusion model's.
 */
public final class Classifier {
  private final ClassifierConfig config;
  private final Params params = new Params();
  private final List<Stage> stages = new ArrayList<>();
  private final Linear hidden;
  private final Linear head;

  /** One stage: an optional stride-2 convolution, then a 3x3 convolution, each with GN and SiLU. */
  private record Stage(Conv2d down, GroupNorm downNorm, Conv2d conv, GroupNorm norm) {}

  /** Builds the network, drawing its weights from libtorch's global generator (PyTorch defaults). */
  public Classifier(ClassifierConfig c) {
    this.config = c;
    int ch = c.inChannels();
    for (int i = 0; i < c.widths().size(); i++) {
      String name = "stages." + i;
      int w = c.widths().get(i);
      Conv2d down = null;
      GroupNorm downNorm = null;
      if (i > 0) {
        down = new Conv2d(params, name + ".down", ch, w, 3, 2);
        downNorm = new GroupNorm(params, name + ".down_norm", c.groups(), w);
        ch = w;
      }
      Conv2d conv = new Conv2d(params, name + ".conv", ch, w, 3, 1);
      GroupNorm norm = new GroupNorm(params, name + ".norm", c.groups(), w);
      stages.add(new Stage(down, downNorm, conv, norm));
      ch = w;
    }
    this.hidden = new Linear(params, "hidden", ch * c.finalSize() * c.finalSize(), c.featureDim());
    this.head = new Linear(params, "head", c.featureDim(), c.numClasses());
  }

  public ClassifierConfig config() {
    return config;
  }

  /** Parameters by name, in creation order. */
  public Map<String, Tensor> parameters() {
    return params.all();
  }

  public long parameterCount() {
    return params.count();
  }

  /**
   * The penultimate features: a SiLU layer over the flattened last stage.
   *
   * @param x images [B, C, H, W] in [-1, 1], float32
   * @return [B, featureDim] float32
   */
  public Tensor features(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      Tensor h = x.to(f.precision().dtype);
      for (Stage s : stages) {
        if (s.down != null) {
          h = torch.silu(s.downNorm.forward(s.down.forward(h, f), f));
        }
        h = torch.silu(s.norm.forward(s.conv.forward(h, f), f));
      }
      return torch.silu(hidden.forward(h.flatten(1, -1), f)).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
    });
  }

  /** Class logits [B, numClasses] (float32) from {@link #features}. */
  public Tensor logits(Tensor features, Forward f) {
    return Torch.scoped(() -> head.forward(features.to(f.precision().dtype), f)
        .to(org.bytedeco.pytorch.global.torch.ScalarType.Float));
  }
}
