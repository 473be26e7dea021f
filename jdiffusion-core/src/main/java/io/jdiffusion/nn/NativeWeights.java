package io.jdiffusion.nn;

import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.store.WeightFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The tensors of a weights file read straight into libtorch's memory, one at a time: a safetensors
 * tensor's bytes go from the file into the storage of a CPU tensor of the stored dtype, then (F16, BF16)
 * to float32, so a loader's peak is the network plus one tensor, with nothing in the Java heap. PyTorch
 * {@code .bin} files go through {@link io.jdiffusion.store.TorchPickle} (read whole, then handed over).
 * A tensor holding NaN or infinity is refused, as {@link ForeignSafetensors} refuses it.
 */
public final class NativeWeights {
  /** Largest single read into native memory (a ByteBuffer holds at most 2^31 - 1 bytes). */
  private static final long CHUNK = 1L << 30;

  private NativeWeights() {}

  /**
   * Hands every tensor of {@code file} but those {@code skip} names to {@code consumer} as a float32 CPU
   * tensor, in file order; the tensor is freed when the consumer returns (copy it into a parameter).
   */
  public static void each(Path file, Predicate<String> skip, BiConsumer<String, Tensor> consumer) {
    Torch.init();
    if (file.getFileName().toString().endsWith(".bin")) {
      WeightFiles.each(file, skip, (name, entry) -> {
        try (PointerScope scope = new PointerScope()) {
          consumer.accept(name, Torch.cpuTensor(entry.values(), entry.shape()));
        }
      });
      return;
    }
    ForeignSafetensors.eachRaw(file, skip, (name, raw) -> {
      try (PointerScope scope = new PointerScope()) {
        ScalarType stored = switch (raw.dtype()) {
          case "F32" -> ScalarType.Float;
          case "F16" -> ScalarType.Half;
          default -> ScalarType.BFloat16;
        };
        Tensor t = Torch.cpuEmpty(stored, raw.shape());
        if (raw.bytes() > 0) {
          BytePointer storage = new BytePointer(t.data_ptr());
          for (long off = 0; off < raw.bytes(); off += CHUNK) {
            long n = Math.min(CHUNK, raw.bytes() - off);
            raw.readInto(off, storage.position(off).limit(off + n).capacity(off + n).asByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN));
          }
        }
        long nonFinite = t.isfinite().logical_not().sum().item_long();
        if (nonFinite > 0) {
          throw new StoreException(file + ": tensor " + name + " holds " + nonFinite
              + " non-finite values (NaN or infinity); such weights cannot be used");
        }
        consumer.accept(name, stored == ScalarType.Float ? t : t.to(ScalarType.Float));
      }
    });
  }

}
