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

  /** The fixture folder in the sources (a folder wherever the test runs from, even from core's test jar). */
  static Path fixture() throws Exception {
    return io.jdiffusion.TestTorch.repoRoot().resolve("jdiffusion-core/src/test/resources/io/jdiffusion/diffusers/ddim");
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

  /** A copy of {@code from} under {@code to}, with extra files written as given (path -> content). */
  private static Path repoCopy(Path from, Path to, Map<String, String> extra) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        Files.createDirectories(t.getParent());
        Files.copy(p, t);
      }
    }
    for (var e : extra.entrySet()) {
      Files.createDirectories(to.resolve(e.getKey()).getParent());
      Files.writeString(to.resolve(e.getKey()), e.getValue());
    }
    return to;
  }

  @Test
  void aTextToImagePipelineDownloadsTheFilesItsComponentsReadInTheVariantAskedFor(@TempDir Path repos)
      throws Exception {
    Path sd1 = Path.of(HubFilesTest.class.getResource("/io/jdiffusion/t2i/pipelines/sd1").toURI());
    Path repo = repoCopy(sd1, repos.resolve("sd"), Map.of("safety_checker/model.safetensors", "not needed",
        "unet/flax_diffusion_pytorch_model.msgpack", "not needed", "unet/diffusion_pytorch_model.bin", "not needed",
        "feature_extractor/preprocessor_config.json", "{}"));
    Files.copy(repo.resolve("unet/diffusion_pytorch_model.safetensors"),
        repo.resolve("unet/diffusion_pytorch_model.fp16.safetensors"));
    hub.repo("org/sd", repo, false);
    Path folder = HubModels.download(HubRef.parse("hf:org/sd"), files(null, false), "fp16");
    List<String> got;
    try (Stream<Path> all = Files.walk(folder)) {
      got = all.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString())
          .filter(p -> !p.startsWith(".no_exist")).sorted().toList();
    }
    assertEquals(List.of("model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
        "text_encoder/model.safetensors", "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
        "tokenizer/tokenizer_config.json", "tokenizer/vocab.json", "unet/config.json",
        "unet/diffusion_pytorch_model.fp16.safetensors", "vae/config.json", "vae/diffusion_pytorch_model.safetensors"),
        got);
    try (io.jdiffusion.pipeline.StableDiffusion sd = io.jdiffusion.pipeline.StableDiffusion.load(folder, "fp16",
        w -> { })) {
      assertEquals(4, sd.unet().config().inChannels());
    }
    // offline: the same choices from the cache alone, nothing asked of the Hub
    hub.close();
    int before = hub.requests.size();
    assertEquals(folder, HubModels.download(HubRef.parse("hf:org/sd"), files(null, true), "fp16"));
    assertEquals(before, hub.requests.size());
  }

  @Test
  void aModelLayoutRepositoryInTheCacheLoadsOfflineWithoutMarkers(@TempDir Path repos) throws Exception {
    hub.repo("org/model", fixture().resolve("unet"), false);
    Path folder = HubModels.download(HubRef.parse("hf:org/model"), files(null, false));
    assertTrue(Files.isRegularFile(folder.resolve("config.json")));
    // a cache filled by another tool has no .no_exist markers for the names this layout does not have
    try (Stream<Path> markers = Files.walk(folder.resolve(".no_exist"))) {
      for (Path p : markers.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    hub.close();
    assertEquals(folder, HubModels.download(HubRef.parse("hf:org/model"), files(null, true)));
    assertTrue(io.jdiffusion.interop.DiffusersFolder.isFolder(folder));
  }

  @Test
  void aRepositoryWithOnlyPytorchBinWeightsDownloadsThem(@TempDir Path repos) throws Exception {
    Path repo = repos.resolve("bin");
    Files.createDirectories(repo);
    Files.copy(fixture().resolve("unet/config.json"), repo.resolve("config.json"));
    Files.copy(Path.of(HubFilesTest.class.getResource("/io/jdiffusion/torchpickle/weights.bin").toURI()),
        repo.resolve("diffusion_pytorch_model.bin"));
    hub.repo("org/bin", repo, false);
    Path folder = HubModels.download(HubRef.parse("hf:org/bin"), files(null, false));
    assertEquals(-1, Files.mismatch(repo.resolve("diffusion_pytorch_model.bin"),
        folder.resolve("diffusion_pytorch_model.bin")));
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
