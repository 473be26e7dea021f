package io.jdiffusion.nn.conditional;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Linear;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The transformer block's feed-forward network with a GEGLU gate (Shazeer 2020, Eq. 6; diffusers'
 * {@code FeedForward(dim, activation_fn="geglu")} with {@code GEGLU}): with inner width 4 x dim,
 *
 * <pre>[h, g] = x W_1 + b_1 (split in halves);  out = (h * GELU(g)) W_2 + b_2</pre>
 *
 * GELU is the exact one (erf), as PyTorch's {@code F.gelu} default. Parameter names: {@code net.0.proj}
 * (W_1, [2 x inner, dim]) and {@code net.2} (W_2); net.1 is a dropout without parameters.
 */
public final class FeedForward {
  private final Linear proj;
  private final Linear out;

  /** @param name prefix, e.g. "...transformer_blocks.0.ff" */
  public FeedForward(Params p, String name, int dim) {
    int inner = 4 * dim;
    this.proj = new Linear(p, name + ".net.0.proj", dim, 2 * inner);
    this.out = new Linear(p, name + ".net.2", inner, dim);
  }

  /** x [B, N, dim] -> [B, N, dim]. */
  public Tensor forward(Tensor x, Forward f) {
    return Torch.scoped(() -> {
      TensorVector halves = torch.chunk(proj.forward(x, f), 2, -1);
      return out.forward(halves.get(0).mul(torch.gelu(halves.get(1))), f);
    });
  }
}
