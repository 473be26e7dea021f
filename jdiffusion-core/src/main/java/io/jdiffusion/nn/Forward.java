package io.jdiffusion.nn;

/**
 * How one forward pass runs: in which precision, and whether in training mode (dropout on).
 *
 * @param precision dtype of activations; master weights stay float32
 * @param training true enables dropout
 */
public record Forward(Precision precision, boolean training) {
  public static final Forward EVAL_FP32 = new Forward(Precision.FP32, false);
}
