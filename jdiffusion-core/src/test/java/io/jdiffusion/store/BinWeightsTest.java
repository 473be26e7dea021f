package io.jdiffusion.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdiffusion.TestTorch;
import io.jdiffusion.interop.UNet2DConditionFolder;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.clip.ClipTextModel;
import io.jdiffusion.nn.conditional.UNet2DCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text-to-image components whose folders hold only PyTorch .bin weights (many published repositories):
 * the same weights, saved by torch.save (scripts/torch_pickle_fixtures.py), load to the same parameters as
 * their safetensors; the text encoder's int64 position_ids buffer is skipped as in safetensors files.
 */
class BinWeightsTest {
  static final Path PICKLES = Path.of("src/test/resources/io/jdiffusion/torchpickle");
  static final Path T2I = Path.of("src/test/resources/io/jdiffusion/t2i");

  static void assertSameParameters(Map<String, Tensor> want, Map<String, Tensor> got) {
    assertEquals(want.keySet(), got.keySet());
    try (PointerScope scope = new PointerScope()) {
      for (var e : want.entrySet()) {
        assertArrayEquals(Torch.toFloats(e.getValue()), Torch.toFloats(got.get(e.getKey())), 0f, e.getKey());
      }
    }
  }

  @Test
  void aTextEncoderFromPytorchModelBin(@TempDir Path dir) throws Exception {
    TestTorch.init();
    Files.copy(T2I.resolve("clip/sd1/config.json"), dir.resolve("config.json"));
    Files.copy(PICKLES.resolve("clip_sd1_pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
    try (ClipTextModel bin = ClipTextModel.load(dir, m -> { });
        ClipTextModel safe = ClipTextModel.load(T2I.resolve("clip/sd1"), m -> { })) {
      assertSameParameters(safe.parameters(), bin.parameters());
    }
  }

  @Test
  void aUNetFromDiffusionPytorchModelBin(@TempDir Path dir) throws Exception {
    TestTorch.init();
    Files.copy(T2I.resolve("unet/sd1/unet/config.json"), dir.resolve("config.json"));
    Files.copy(PICKLES.resolve("unet_sd1_fp16.bin"), dir.resolve("diffusion_pytorch_model.bin"));
    try (UNet2DCondition bin = UNet2DConditionFolder.load(dir, m -> { });
        UNet2DCondition safe = UNet2DConditionFolder.load(T2I.resolve("unet/sd1/unet"), m -> { })) {
      assertSameParameters(safe.parameters(), bin.parameters());
    }
  }
}
