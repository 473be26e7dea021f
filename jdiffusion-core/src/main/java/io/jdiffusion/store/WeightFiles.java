package io.jdiffusion.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One weights file of a diffusers or transformers folder, whatever its kind: safetensors ({@link
 * ForeignSafetensors}), or PyTorch's {@code .bin} ({@link TorchPickle}: tensors only, nothing run).
 */
public final class WeightFiles {
  private WeightFiles() {}

  /** The float32 tensors of {@code file} by name, without those {@code skip} names. */
  public static Map<String, Safetensors.Entry> read(Path file, Predicate<String> skip) {
    return file.getFileName().toString().endsWith(".bin") ? TorchPickle.read(file, skip)
        : ForeignSafetensors.read(file, skip).tensors();
  }
}
