package io.jdiffusion.nn;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Compute precision of the forward pass. Master weights are always float32; in {@link #BF16} the
 * layers cast weights and activations to bfloat16 themselves (explicit casts: libtorch's
 * autocast is not mapped by the Java bindings), while GroupNorm statistics, softmax and the loss stay in fp32.
 */
public enum Precision {
  FP32(ScalarType.Float),
  BF16(ScalarType.BFloat16);

  /** The libtorch dtype activations flow in. */
  public final ScalarType dtype;

  Precision(ScalarType dtype) {
    this.dtype = dtype;
  }

  /** Parses "fp32" / "bf16" (case-insensitive). */
  public static Precision parse(String s) {
    for (Precision p : values()) {
      if (p.name().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + s + "' (expected fp32 or bf16)");
  }
}
