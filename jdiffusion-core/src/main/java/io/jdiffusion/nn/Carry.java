package io.jdiffusion.nn;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A tensor carried from one loop iteration to the next while each iteration runs in its own
 * {@link PointerScope}: {@link #set} keeps the new value alive past the iteration's scope and frees
 * the previous one at once, so a 1000-step sampling loop holds one x_t, not a thousand.
 */
public final class Carry implements AutoCloseable {
  private Tensor value;

  /** Starts with {@code initial}, which stays owned by its own scope as well. */
  public Carry(Tensor initial) {
    initial.retainReference();
    this.value = initial;
  }

  public Tensor get() {
    return value;
  }

  /** Replaces the value; the previous one is released. */
  public void set(Tensor next) {
    next.retainReference();
    value.releaseReference();
    value = next;
  }

  /** Hands the current value to the current (innermost) scope and gives up this carry's hold. */
  public Tensor release() {
    PointerScope scope = PointerScope.getInnerScope();
    if (scope != null) {
      scope.attach(value);
    } else {
      value.retainReference();
    }
    value.releaseReference();
    Tensor out = value;
    value = null;
    return out;
  }

  @Override
  public void close() {
    if (value != null) {
      value.releaseReference();
      value = null;
    }
  }
}
