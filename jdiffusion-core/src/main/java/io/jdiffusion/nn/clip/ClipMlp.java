package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Linear;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;

/** The feed-forward block (transformers' {@code CLIPMLP}): {@code fc2(act(fc1(x)))}, hidden -> intermediate -> hidden. */
final class ClipMlp {
  private final Linear fc1;
  private final Linear fc2;
  private final ClipActivation act;

  ClipMlp(Params p, String name, ClipTextConfig c) {
    this.fc1 = new Linear(p, name + ".fc1", c.hiddenSize(), c.intermediateSize());
    this.fc2 = new Linear(p, name + ".fc2", c.intermediateSize(), c.hiddenSize());
    this.act = c.hiddenAct();
  }

  /** x [B, L, hidden] in the forward's precision -> the same shape and precision. */
  Tensor forward(Tensor x, Forward f) {
    return Torch.scoped(() -> fc2.forward(act.apply(fc1.forward(x, f)), f));
  }
}
