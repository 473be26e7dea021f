package io.jdiffusion.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.TestTorch;
import io.jdiffusion.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sample hf:ORG/NAME} end to end against the stand-in Hub (the JVM properties that override
 * HF_ENDPOINT, HF_HUB_OFFLINE and the cache): download, sample, sample again offline, one-line errors.
 */
class HubCliTest {
  @TempDir Path dir;
  HubStandIn hub;

  record Run(int code, String out, String err) {}

  /** The pixels of a PNG (its text chunks name the model's path, which differs between the two runs). */
  static final class Pixels {
    static int[] of(Path png) throws java.io.IOException {
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
      return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
  }

  @BeforeAll
  static void init() {
    TestTorch.init();
  }

  @BeforeEach
  void start() throws Exception {
    hub = new HubStandIn().repo("org/tiny", HubFilesTest.fixture(), false).repo("org/private", HubFilesTest.fixture(),
        true);
    System.setProperty(HubSettings.ENDPOINT_PROPERTY, hub.endpoint());
    System.setProperty(HubSettings.CACHE_PROPERTY, dir.resolve("cache").toString());
  }

  @AfterEach
  void stop() {
    hub.close();
    for (String p : new String[] {HubSettings.ENDPOINT_PROPERTY, HubSettings.CACHE_PROPERTY,
        HubSettings.OFFLINE_PROPERTY, HubSettings.TOKEN_PROPERTY}) {
      System.clearProperty(p);
    }
  }

  static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void aTextToImagePipelineFromTheHubGivesTheFolderSImage() throws Exception {
    Path sd1 = TestTorch.repoRoot().resolve("jdiffusion-core/src/test/resources/io/jdiffusion/t2i/pipelines/sd1");
    hub.repo("org/sd", sd1, false);
    Path fromHub = dir.resolve("hub.png");
    Run r = run("sample", "hf:org/sd", "--prompt", "a red fox", "--steps", "2", "-n", "1", "-o", fromHub.toString(),
        "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(dir.resolve("cache/hub/org--sd/main/text_encoder/model.safetensors")), r.err());
    Path local = dir.resolve("local.png");
    Run l = run("sample", sd1.toString(), "--prompt", "a red fox", "--steps", "2", "-n", "1", "-o", local.toString(),
        "-q");
    assertEquals(0, l.code(), l.err());
    assertArrayEquals(Pixels.of(local), Pixels.of(fromHub));
  }

  @Test
  void sampleDownloadsThenRunsOfflineFromTheCache() throws Exception {
    Path png = dir.resolve("a.png");
    Run r = run("sample", "hf:org/tiny", "-n", "2", "--steps", "3", "-o", png.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(png));
    assertTrue(r.err().contains("downloading hf:org/tiny unet/diffusion_pytorch_model.safetensors"), r.err());
    assertTrue(Files.isRegularFile(dir.resolve("cache/hub/org--tiny/main/unet/diffusion_pytorch_model.safetensors")));
    hub.close();
    System.setProperty(HubSettings.OFFLINE_PROPERTY, "1");
    Path again = dir.resolve("b.png");
    Run offline = run("sample", "hf:org/tiny", "-n", "2", "--steps", "3", "-o", again.toString(), "-q");
    assertEquals(0, offline.code(), offline.err());
    assertEquals(-1, Files.mismatch(png, again), "the same model, seeds and settings give the same file");
    Run missing = run("sample", "hf:org/tiny@v2", "-n", "1", "-o", dir.resolve("c.png").toString());
    assertOneLine(missing, "HF_HUB_OFFLINE");
  }

  @Test
  void unauthorizedAndMissingRepositoriesAreOneLineErrors() {
    assertOneLine(run("sample", "hf:org/private", "-o", dir.resolve("p.png").toString()), "HF_TOKEN");
    assertOneLine(run("sample", "hf:org/nothing", "-o", dir.resolve("n.png").toString()), "no such repository");
    assertOneLine(run("sample", "hf:org/bad--name", "-o", dir.resolve("n.png").toString()), "ORG/NAME");
    System.setProperty(HubSettings.TOKEN_PROPERTY, hub.token);
    Path out = dir.resolve("w.safetensors");
    Run export = run("export", "hf:org/private", "-o", out.toString());
    assertEquals(0, export.code(), export.err());
    assertTrue(Files.isRegularFile(out));
  }

  static void assertOneLine(Run r, String mustContain) {
    assertEquals(2, r.code(), r.err());
    String[] lines = r.err().strip().lines().filter(l -> l.startsWith("error:")).toArray(String[]::new);
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].contains(mustContain), lines[0]);
  }
}
