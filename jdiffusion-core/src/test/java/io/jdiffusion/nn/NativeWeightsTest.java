package io.jdiffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights read straight into native tensors give exactly the values of the Java-heap reader, for F32,
 * F16 and BF16 files (diffusers' own fixtures), and refuse a NaN as it does.
 */
class NativeWeightsTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  private static Path fixture(String name) throws Exception {
    return Path.of(NativeWeightsTest.class.getResource("/io/jdiffusion/t2i/" + name).toURI());
  }

  @Test
  void nativeReadsEqualTheHeapReaderInEveryDtype() throws Exception {
    for (String f : new String[] {"unet/inpaint/unet/diffusion_pytorch_model-00001-of-00004.safetensors",
        "unet/sd1/unet/diffusion_pytorch_model.fp16.safetensors",
        "unet/bksdm/unet/diffusion_pytorch_model.bf16.safetensors"}) {
      Map<String, Safetensors.Entry> heap = ForeignSafetensors.read(fixture(f)).tensors();
      Map<String, float[]> got = new LinkedHashMap<>();
      NativeWeights.each(fixture(f), k -> false, (name, t) -> {
        assertEquals(org.bytedeco.pytorch.global.torch.ScalarType.Float.value, t.scalar_type().value);
        assertArrayEquals(heap.get(name).shape(), Torch.shape(t), name);
        got.put(name, Torch.toFloats(t));
      });
      assertEquals(heap.keySet(), got.keySet(), f);
      for (var e : heap.entrySet()) {
        assertArrayEquals(e.getValue().values(), got.get(e.getKey()), f + " " + e.getKey());
      }
    }
  }

  @Test
  void aNonFiniteValueIsRefusedNamingTheTensor(@TempDir Path dir) throws Exception {
    byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).putFloat(1f).putFloat(Float.NaN);
    Path f = dir.resolve("nan.safetensors");
    Files.write(f, b.array());
    StoreException e = assertThrows(StoreException.class, () -> NativeWeights.each(f, k -> false, (n, t) -> { }));
    assertTrue(e.getMessage().contains("tensor w holds 1 non-finite value"), e.getMessage());
  }
}
