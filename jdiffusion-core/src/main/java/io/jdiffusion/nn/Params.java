package io.jdiffusion.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The model's parameters: float32 leaf tensors with gradients, by name, in creation order.
 *
 * <p>Names follow diffusers' {@code UNet2DModel} ({@code down_blocks.0.resnets.1.conv1.weight}),
 * so that a safetensors export needs no renaming. Initialisation follows PyTorch's defaults and
 * draws from libtorch's global generator in creation order, so that a model built after
 * {@code manual_seed(s)} equals the PyTorch reference built after {@code torch.manual_seed(s)}.
 *
 * <p>Parameter tensors are created outside any {@link org.bytedeco.javacpp.PointerScope}: they live
 * as long as the model.
 */
public final class Params {
  private final Map<String, Tensor> byName = new LinkedHashMap<>();
  private final boolean uninitialised;

  /** Parameters initialised as PyTorch initialises them. */
  public Params() {
    this(false);
  }

  private Params(boolean uninitialised) {
    this.uninitialised = uninitialised;
  }

  /**
   * Parameters for a model whose every value is about to be loaded from a file: each is allocated
   * ({@code torch.empty}) but neither drawn nor filled, so building an 860 M-parameter model costs no
   * random draws and no second copy. The values are undefined until loaded; the global generator is
   * not advanced.
   */
  public static Params forLoading() {
    return new Params(true);
  }

  /** Whether this set allocates without initialising ({@link #forLoading()}). */
  public boolean uninitialised() {
    return uninitialised;
  }

  /**
   * A new parameter drawn from U(-bound, bound), PyTorch's default for Conv2d and Linear weights and
   * biases: {@code kaiming_uniform_(a=sqrt(5))} gives bound = 1/sqrt(fan_in).
   */
  public Tensor uniform(String name, double bound, long... shape) {
    if (uninitialised) {
      return register(name, Torch.initialised(t -> { }, shape));
    }
    return register(name, Torch.initialised(t -> t.uniform_(-bound, bound, new org.bytedeco.pytorch.GeneratorOptional()), shape));
  }

  /** A new parameter filled with {@code value} (GroupNorm: weight 1, bias 0). */
  public Tensor constant(String name, double value, long... shape) {
    if (uninitialised) {
      return register(name, Torch.initialised(t -> { }, shape));
    }
    return register(name, Torch.full(value, shape));
  }

  /** A new parameter drawn from N(0, 1), PyTorch's default for Embedding. */
  public Tensor normal(String name, long... shape) {
    if (uninitialised) {
      return register(name, Torch.initialised(t -> { }, shape));
    }
    return register(name, Torch.initialised(t -> t.normal_(0, 1, new org.bytedeco.pytorch.GeneratorOptional()), shape));
  }

  private Tensor register(String name, Tensor t) {
    if (byName.containsKey(name)) {
      throw new IllegalStateException("duplicate parameter " + name);
    }
    t.requires_grad_(true);
    t.retainReference(); // owned by the model, never by a scope
    byName.put(name, t);
    return t;
  }

  /** All parameters by name, in creation order. */
  public Map<String, Tensor> all() {
    return Collections.unmodifiableMap(byName);
  }

  /** Frees every parameter's native memory now; the parameters must not be used afterwards. */
  public void free() {
    for (Tensor t : byName.values()) {
      t.deallocate();
    }
    byName.clear();
  }

  /** Total number of scalar parameters. */
  public long count() {
    long n = 0;
    for (Tensor t : byName.values()) {
      n += t.numel();
    }
    return n;
  }
}
