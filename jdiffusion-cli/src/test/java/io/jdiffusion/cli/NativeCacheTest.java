package io.jdiffusion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GUIDE.md must-do 1: a first start with an empty JavaCPP cache must not crash while loading
 * libjnitorch. Runs a fresh JVM with an empty cache directory through a real forward pass.
 */
class NativeCacheTest {
  @Test
  void aStartWithAnEmptyNativeCacheWorks(@TempDir Path dir) throws Exception {
    Path cache = dir.resolve("javacpp-cache");
    Path runDir = dir.resolve("run");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(java, "-Dorg.bytedeco.javacpp.cachedir=" + cache,
        "-cp", System.getProperty("java.class.path"), "io.jdiffusion.cli.Main",
        "train", "--out", runDir.toString(), "--steps", "1", "--image-size", "8", "--base-channels", "8",
        "--channel-mults", "1,2", "--attention-res", "4", "--groups", "4", "--heads", "2", "--timesteps", "10",
        "--batch-size", "2", "--final-samples", "1", "-q");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
    String log = Files.readString(dir.resolve("log"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(Files.isDirectory(cache) && new File(cache.toFile(), ".").list().length > 0, "cache was filled");
    assertTrue(Files.exists(runDir.resolve("samples/final.png")), log);
  }
}
