package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataHomeTest {
  @Test
  void environmentVariableThenXdgThenHomeCache() {
    Map<String, String> all = Map.of("JDIFFUSION_DATA", "/data/jd", "XDG_CACHE_HOME", "/xdg");
    assertEquals(Path.of("/data/jd"), DataHome.root(all::get, "/home/u"));
    Map<String, String> xdg = Map.of("JDIFFUSION_DATA", " ", "XDG_CACHE_HOME", "/xdg");
    assertEquals(Path.of("/xdg/jdiffusion"), DataHome.root(xdg::get, "/home/u"));
    assertEquals(Path.of("/home/u/.cache/jdiffusion"), DataHome.root(k -> null, "/home/u"));
    assertEquals(DataHome.root().resolve("cifar10"), DataHome.dir("cifar10"));
  }

  @Test
  void impossiblePathIsADataException() {
    org.junit.jupiter.api.Assertions.assertThrows(
        DataException.class, () -> DataHome.root(k -> k.equals("JDIFFUSION_DATA") ? "a\0b" : null, "/h"));
  }
}
