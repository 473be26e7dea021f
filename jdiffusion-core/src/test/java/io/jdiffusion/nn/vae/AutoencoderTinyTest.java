package io.jdiffusion.nn.vae;

import static io.jdiffusion.nn.vae.VaeFixtures.assertClose;
import static io.jdiffusion.nn.vae.VaeFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.TestTorch;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jdiffusion's AutoencoderTiny (TAESD) against diffusers' own, on the folder and outputs that
 * scripts/t2i/vae_fixtures.py wrote (bf16 variant weights, three levels, ReLU): encode and decode within
 * 1e-4 of the largest reference value in float32.
 */
class AutoencoderTinyTest {
  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @Test
  void encodeAndDecodeMatchDiffusers() throws Exception {
    Path dir = VaeFixtures.folder("tiny");
    Map<String, Safetensors.Entry> io = VaeFixtures.io(dir);
    try (PointerScope scope = new PointerScope(); AutoencoderTiny vae = AutoencoderTiny.load(dir)) {
      assertTrue(Files.isRegularFile(dir.resolve("diffusion_pytorch_model.bf16.safetensors")));
      assertEquals(4, vae.config().downscale());
      // bias-free convolutions where diffusers has bias=False: the strict load would fail otherwise
      assertFalse(vae.parameters().containsKey("encoder.layers.2.bias"));
      assertTrue(vae.parameters().containsKey("encoder.layers.2.weight"));
      assertClose(io, "latents", vae.encode(tensor(io, "image"), Forward.EVAL_FP32), AutoencoderKLTest.TOL);
      assertClose(io, "decoded", vae.decode(tensor(io, "z"), Forward.EVAL_FP32), AutoencoderKLTest.TOL);
      Forward bf16 = new Forward(Precision.BF16, false);
      assertClose(io, "latents", vae.encode(tensor(io, "image"), bf16), 3e-2);
      assertClose(io, "decoded", vae.decode(tensor(io, "z"), bf16), 3e-2);
      float[] z = {0.5f, -1f};
      float[] same = Torch.toFloats(vae.unscale(vae.scale(Torch.tensor(z, 2))));
      assertEquals(z[0], same[0], 0);
      assertEquals(z[1], same[1], 0);
    }
  }

  @Test
  void refusesConfigsItWouldComputeWrongly(@TempDir Path tmp) throws Exception {
    Path good = VaeFixtures.folder("tiny").resolve("config.json");
    refuses(tmp, good, c -> c.put("upsample_fn", "bilinear"), "upsample_fn");
    refuses(tmp, good, c -> c.put("act_fn", "gelu"), "act_fn");
    refuses(tmp, good, c -> c.put("use_midblock_attention", true), "use_midblock_attention");
    refuses(tmp, good, c -> c.putArray("num_encoder_blocks").add(1).add(2), "num_encoder_blocks");
    refuses(tmp, good, c -> c.putArray("encoder_block_out_channels").add(16).add(32).add(32), "one channel count");
  }

  private static void refuses(Path tmp, Path config, Consumer<ObjectNode> edit, String named) throws Exception {
    ObjectNode c = (ObjectNode) Json.mapper().readTree(Files.readString(config));
    edit.accept(c);
    Path dir = Files.createTempDirectory(tmp, "tiny");
    Files.writeString(dir.resolve("config.json"), c.toString());
    StoreException e = assertThrows(StoreException.class, () -> AutoencoderTiny.load(dir));
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
  }
}
