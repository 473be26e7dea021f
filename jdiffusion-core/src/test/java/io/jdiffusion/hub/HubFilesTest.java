package io.jdiffusion.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.store.Sha256;
import io.jdiffusion.store.StoreException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a stand-in Hub ({@link HubStandIn}): redirects, tokens, resumption, checksums, errors, offline. */
class HubFilesTest {
  static final String WEIGHTS = "unet/diffusion_pytorch_model.safetensors";
  @TempDir Path cache;
  HubStandIn hub;
  final List<String> log = new ArrayList<>();

  static Path fixture() throws Exception {
    return Path.of(HubFilesTest.class.getResource("/io/jdiffusion/diffusers/ddim").toURI());
  }

  @BeforeEach
  void start() throws Exception {
    hub = new HubStandIn().repo("org/tiny", fixture(), false).repo("org/private", fixture(), true);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HubFiles files(String token, boolean offline) {
    return new HubFiles(new HubSettings(URI.create(hub.endpoint()), token, offline, cache), log::add);
  }

  @Test
  void aPipelineDownloadsItsFilesWithTheTokenOnTheHubOnly() throws Exception {
    Path folder = HubModels.download(HubRef.parse("hf:org/tiny"), files(hub.token, false));
    assertEquals(cache.resolve("org--tiny").resolve("main"), folder);
    for (String f : List.of("model_index.json", "unet/config.json", WEIGHTS, "scheduler/scheduler_config.json")) {
      assertEquals(-1, Files.mismatch(fixture().resolve(f), folder.resolve(f)), f);
    }
    assertFalse(Files.exists(folder.resolve("ddim.safetensors")), "only the files a pipeline needs");
    // the weights came from the CDN host after the Hub's 302; the token went to the Hub only
    assertEquals(List.of("/cdn/org/tiny/" + WEIGHTS), hub.to("cdn").stream().map(HubStandIn.Request::path).toList());
    assertTrue(hub.to("hub").stream().allMatch(r -> ("Bearer " + hub.token).equals(r.authorization())));
    assertNull(hub.to("cdn").get(0).authorization());
    // a second call is served by the cache
    int before = hub.requests.size();
    assertEquals(folder, HubModels.download(HubRef.parse("hf:org/tiny"), files(hub.token, false)));
    assertEquals(before, hub.requests.size());
  }

  @Test
  void anInterruptedDownloadResumesWithARangeRequest() throws Exception {
    hub.dropAfter = 100_000;
    Path f = files(null, false).require(HubRef.parse("hf:org/tiny"), WEIGHTS);
    assertEquals(Sha256.hex(Files.readAllBytes(fixture().resolve(WEIGHTS))), Sha256.hex(Files.readAllBytes(f)));
    List<HubStandIn.Request> cdn = hub.to("cdn");
    assertEquals(2, cdn.size(), cdn.toString());
    assertNull(cdn.get(0).range());
    // it resumes from what reached the disk before the connection dropped (at most the 100,000 bytes sent)
    String range = cdn.get(1).range();
    assertTrue(range != null && range.matches("bytes=\\d+-"), range);
    long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    assertTrue(from > 0 && from <= 100_000, range);
    assertTrue(log.stream().anyMatch(l -> l.startsWith("connection lost")), log.toString());
    assertFalse(Files.exists(f.resolveSibling(f.getFileName() + ".part")));
  }

  @Test
  void aPartLeftByAnEarlierRunIsResumed() throws Exception {
    Path part = cache.resolve("org--tiny/main/" + WEIGHTS + ".part");
    Files.createDirectories(part.getParent());
    byte[] all = Files.readAllBytes(fixture().resolve(WEIGHTS));
    Files.write(part, java.util.Arrays.copyOf(all, 5000));
    Path f = files(null, false).require(HubRef.parse("hf:org/tiny"), WEIGHTS);
    assertEquals(-1, Files.mismatch(fixture().resolve(WEIGHTS), f));
    assertEquals("bytes=5000-", hub.to("cdn").get(0).range());
  }

  @Test
  void aChecksumMismatchIsRefusedAndLeavesNothingComplete() throws Exception {
    hub.corrupt = true;
    StoreException e = assertThrows(StoreException.class,
        () -> files(null, false).require(HubRef.parse("hf:org/tiny"), WEIGHTS));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    Path dir = cache.resolve("org--tiny/main/unet");
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void errorsAreOneLineWithTheReason() throws Exception {
    StoreException unauthorized = assertThrows(StoreException.class,
        () -> HubModels.download(HubRef.parse("hf:org/private"), files(null, false)));
    assertTrue(unauthorized.getMessage().contains("private or gated") && unauthorized.getMessage().contains("HF_TOKEN")
        && unauthorized.getMessage().contains("401"), unauthorized.getMessage());
    assertEquals(cache.resolve("org--private/main"),
        HubModels.download(HubRef.parse("hf:org/private"), files(hub.token, false)));
    StoreException missing = assertThrows(StoreException.class,
        () -> HubModels.download(HubRef.parse("hf:org/nothing"), files(null, false)));
    assertTrue(missing.getMessage().contains("no such repository") && missing.getMessage().contains("404"),
        missing.getMessage());
    StoreException wrongToken = assertThrows(StoreException.class,
        () -> HubModels.download(HubRef.parse("hf:org/private@v2"), files("hf_wrong", false)));
    assertTrue(wrongToken.getMessage().contains("not accepted"), wrongToken.getMessage());
    for (StoreException e : List.of(unauthorized, missing, wrongToken)) {
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void offlineUsesTheCacheOnlyAndSaysWhatIsMissing() throws Exception {
    HubModels.download(HubRef.parse("hf:org/tiny"), files(null, false));
    hub.close();
    int before = hub.requests.size();
    assertEquals(cache.resolve("org--tiny/main"), HubModels.download(HubRef.parse("hf:org/tiny"), files(null, true)));
    assertEquals(before, hub.requests.size());
    StoreException e = assertThrows(StoreException.class,
        () -> HubModels.download(HubRef.parse("hf:org/tiny@v1"), files(null, true)));
    assertTrue(e.getMessage().contains("not in the cache") && e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
  }

  @Test
  void anUnreachableHubPointsToOfflineMode() throws Exception {
    hub.close();
    StoreException e = assertThrows(StoreException.class,
        () -> HubModels.download(HubRef.parse("hf:org/tiny"), files(null, false)));
    assertTrue(e.getMessage().startsWith("cannot reach") && e.getMessage().contains("HF_HUB_OFFLINE=1"), e.getMessage());
  }

  @Test
  void referencesAndSettingsParseAsHuggingfaceHubDoes() {
    assertEquals(new HubRef("google/ddpm-cifar10-32", "main"), HubRef.parse("hf:google/ddpm-cifar10-32"));
    assertEquals(new HubRef("google/ddpm-cifar10-32", "a1b2c3"), HubRef.parse("hf:google/ddpm-cifar10-32@a1b2c3"));
    for (String bad : List.of("hf:a/b/c", "hf:../x", "hf:a--b/c", "hf:a/b@", "hf:a/b@../x", "hf:")) {
      assertThrows(IllegalArgumentException.class, () -> HubRef.parse(bad), bad);
    }
    HubSettings s = HubSettings.from(Map.of("HF_ENDPOINT", "https://mirror.example/", "HF_TOKEN", "t",
        "HF_HUB_OFFLINE", "yes", "JDIFFUSION_CACHE", "/c"), k -> null);
    assertEquals(new HubSettings(URI.create("https://mirror.example"), "t", true, Path.of("/c/hub")), s);
    HubSettings d = HubSettings.from(Map.of(), k -> k.equals("user.home") ? "/home/u" : null);
    assertEquals(new HubSettings(URI.create("https://huggingface.co"), null, false,
        Path.of("/home/u/.cache/jdiffusion/hub")), d);
    assertFalse(s.toString().contains("=t,"), s.toString());
    assertTrue(d.folder(HubRef.parse("hf:google/ddpm-cifar10-32")).endsWith("google--ddpm-cifar10-32/main"));
    assertEquals("https://huggingface.co/google/ddpm-cifar10-32/resolve/main/unet/config.json",
        new HubFiles(d, x -> { }).url(HubRef.parse("hf:google/ddpm-cifar10-32"), "unet/config.json").toString());
  }
}
