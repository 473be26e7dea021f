package io.jdiffusion.nn.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.ForeignSafetensors;
import io.jdiffusion.store.Safetensors;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** The fixtures scripts/t2i/vae_fixtures.py wrote with diffusers' code, and the comparison the tests make. */
final class VaeFixtures {
  private VaeFixtures() {}

  static Path folder(String name) throws Exception {
    return Path.of(VaeFixtures.class.getResource("/io/jdiffusion/t2i/vae/" + name + "/config.json").toURI()).getParent();
  }

  /** The inputs and diffusers' outputs of a fixture, by name. */
  static Map<String, Safetensors.Entry> io(Path folder) {
    return ForeignSafetensors.read(folder.resolve("io.safetensors")).tensors();
  }

  static Tensor tensor(Map<String, Safetensors.Entry> io, String name) {
    Safetensors.Entry e = io.get(name);
    return Torch.tensor(e.values(), e.shape());
  }

  /** max |a - b| / max |b|. */
  static double relative(float[] a, float[] b) {
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  /** Asserts that {@code got} has the shape of diffusers' {@code name} and is within {@code tol} relative of it. */
  static double assertClose(Map<String, Safetensors.Entry> io, String name, Tensor got, double tol) {
    Safetensors.Entry want = io.get(name);
    assertArrayEquals(want.shape(), Torch.shape(got), name + " shape");
    float[] values = Torch.toFloats(got);
    for (float v : values) {
      assertTrue(Float.isFinite(v), name + " has a non-finite value");
    }
    double rel = relative(values, want.values());
    System.out.printf(Locale.ROOT, "%-28s relative difference to diffusers %.2e%n", name, rel);
    assertTrue(rel <= tol, name + ": relative difference " + rel + " > " + tol);
    return rel;
  }
}
