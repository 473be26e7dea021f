package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Torch;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The activations a transformers config may name as {@code hidden_act}, each computed as transformers'
 * {@code ACT2FN} computes it (src/transformers/activations.py, commit 00e12e7c): CLIP's MLP uses
 * {@code quick_gelu} (OpenAI CLIP, Stable Diffusion 1.x) or {@code gelu} (OpenCLIP, Stable Diffusion 2.x).
 * A name outside this list is refused by {@link #named}, never replaced by another function.
 */
public enum ClipActivation {
  /** {@code x sigmoid(1.702 x)} (QuickGELUActivation). */
  QUICK_GELU("quick_gelu"),
  /** Exact GELU, {@code x Phi(x)} (GELUActivation: torch's gelu). */
  GELU("gelu"),
  /** Exact GELU written with erf (GELUActivation(use_gelu_python=True)). */
  GELU_PYTHON("gelu_python"),
  /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (NewGELUActivation, OpenAI GPT's). */
  GELU_NEW("gelu_new"),
  /** {@code 0.5 x (1 + tanh(0.7978845608 x (1 + 0.044715 x^2)))} (FastGELUActivation). */
  GELU_FAST("gelu_fast"),
  /** torch's gelu with approximate="tanh" (PytorchGELUTanh). */
  GELU_PYTORCH_TANH("gelu_pytorch_tanh"),
  /** Exact GELU clipped to [-10, 10] (ClippedGELUActivation(-10, 10)). */
  GELU_10("gelu_10"),
  RELU("relu"),
  SILU("silu"),
  /** Another name of {@link #SILU}. */
  SWISH("swish"),
  MISH("mish"),
  TANH("tanh"),
  SIGMOID("sigmoid"),
  /** The identity (LinearActivation). */
  LINEAR("linear");

  /** The name in transformers' configs. */
  public final String configName;

  ClipActivation(String configName) {
    this.configName = configName;
  }

  /**
   * The activation a config names.
   *
   * @throws IllegalArgumentException naming the value and the supported ones
   */
  public static ClipActivation named(String name) {
    for (ClipActivation a : values()) {
      if (a.configName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("hidden_act \"" + name + "\" is not supported (supported: "
        + Arrays.stream(values()).map(a -> a.configName).collect(Collectors.joining(", ")) + ")");
  }

  /** f(x), in x's dtype. */
  public Tensor apply(Tensor x) {
    return switch (this) {
      case QUICK_GELU -> x.mul(torch.sigmoid(x.mul(Torch.s(1.702))));
      case GELU -> torch.gelu(x);
      case GELU_PYTHON -> x.mul(Torch.s(0.5)).mul(torch.erf(x.div(Torch.s(Math.sqrt(2.0)))).add(Torch.s(1.0)));
      case GELU_NEW, GELU_FAST -> tanhGelu(x);
      case GELU_PYTORCH_TANH -> torch.gelu(x, "tanh");
      case GELU_10 -> torch.gelu(x).clamp(new ScalarOptional(new Scalar(-10.0)), new ScalarOptional(new Scalar(10.0)));
      case RELU -> torch.relu(x);
      case SILU, SWISH -> torch.silu(x);
      case MISH -> torch.mish(x);
      case TANH -> torch.tanh(x);
      case SIGMOID -> torch.sigmoid(x);
      case LINEAR -> x;
    };
  }

  /** The two tanh forms, written term by term as transformers writes them. */
  private Tensor tanhGelu(Tensor x) {
    Tensor inner = this == GELU_NEW
        ? x.add(torch.pow(x, Torch.s(3.0)).mul(Torch.s(0.044715))).mul(Torch.s(Math.sqrt(2.0 / Math.PI)))
        : x.mul(Torch.s(0.7978845608)).mul(x.mul(x).mul(Torch.s(0.044715)).add(Torch.s(1.0)));
    return x.mul(Torch.s(0.5)).mul(torch.tanh(inner).add(Torch.s(1.0)));
  }

  @Override
  public String toString() {
    return configName.toLowerCase(Locale.ROOT);
  }
}
