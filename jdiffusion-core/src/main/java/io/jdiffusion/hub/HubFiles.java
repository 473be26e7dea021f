package io.jdiffusion.hub;

import io.jdiffusion.store.Sha256;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file of a Hub repository, from the cache or downloaded into it, as huggingface_hub's {@code
 * hf_hub_download} does:
 *
 * <ul>
 *   <li>from {@code {endpoint}/{repo}/resolve/{revision}/{path}}, following the Hub's redirects (a
 *       302 to its CDN for LFS files, 307 for renamed repositories), with HF_TOKEN sent as {@code
 *       Authorization: Bearer} to the endpoint's host only, never to the CDN;
 *   <li>into {@code FILE.part}, resumed with an HTTP Range request after a dropped connection (three
 *       more tries in one call; a {@code .part} left by an earlier run resumes too);
 *   <li>checked against what the Hub's first answer reports: the SHA-256 in X-Linked-Etag (or ETag)
 *       for LFS files and the size in X-Linked-Size; a mismatch deletes the {@code .part}, so the
 *       cache never holds a wrong file under the real name, which appears only by an atomic rename;
 *   <li>a file the Hub says does not exist (404) is remembered under {@code .no_exist/} (as
 *       huggingface_hub does), so offline runs know it is absent rather than missing from the cache.
 * </ul>
 *
 * A cached file is used as it is, without asking the Hub whether the branch moved; name a commit
 * ({@code @REVISION}) to pin one, or delete the folder to fetch a branch again.
 */
public final class HubFiles {
  /** Tries per file when the connection drops mid-body: the first and three resumptions. */
  static final int ATTEMPTS = 4;
  private static final int MAX_REDIRECTS = 10;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final HubSettings settings;
  private final Consumer<String> log;
  private final HttpClient http;

  /** @param log receives one line per file downloaded and per resumption */
  public HubFiles(HubSettings settings, Consumer<String> log) {
    this.settings = settings;
    this.log = log;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(20)).build();
  }

  public HubSettings settings() {
    return settings;
  }

  /** The file, downloading it if the cache lacks it; refused with a one-line reason if the Hub has no such file. */
  public Path require(HubRef ref, String path) {
    return fetch(ref, path).orElseThrow(() -> new StoreException(ref + " has no file " + path));
  }

  /**
   * The file, downloading it if the cache lacks it, or empty if the Hub answers that it does not
   * exist (404). Offline, a file neither cached nor known to be absent is refused.
   */
  public Optional<Path> fetch(HubRef ref, String path) {
    Path folder = settings.folder(ref);
    Path target = folder.resolve(path).normalize();
    if (!target.startsWith(folder) || path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("Hub file path " + path + " leaves the repository");
    }
    Path absent = folder.resolve(".no_exist").resolve(path);
    if (Files.isRegularFile(target)) {
      return Optional.of(target);
    }
    if (Files.isRegularFile(absent)) {
      return Optional.empty();
    }
    if (settings.offline()) {
      throw new StoreException(ref + ": " + path + " is not in the cache (" + folder + ") and HF_HUB_OFFLINE is set;"
          + " run once without it to download");
    }
    try {
      Files.createDirectories(target.getParent());
      if (!download(ref, path, target)) {
        Files.createDirectories(absent.getParent());
        Files.write(absent, new byte[0]);
        return Optional.empty();
      }
      return Optional.of(target);
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw unreachable(e);
    } catch (IOException e) {
      if (e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
        throw unreachable(e);
      }
      throw new StoreException(ref + ": " + path + ": " + message(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(ref + ": " + path + ": download interrupted", e);
    }
  }

  /**
   * {@link #fetch}, except that offline a file that is not in the cache is empty instead of refused:
   * for probing which of several names a repository uses (its layout, a weights variant), so that a
   * repository downloaded once loads offline whatever the Hub said about the names not taken.
   */
  public Optional<Path> probe(HubRef ref, String path) {
    if (settings.offline()) {
      Path target = settings.folder(ref).resolve(path).normalize();
      return Files.isRegularFile(target) && target.startsWith(settings.folder(ref)) ? Optional.of(target)
          : Optional.empty();
    }
    return fetch(ref, path);
  }

  private StoreException unreachable(Exception e) {
    return new StoreException("cannot reach " + settings.endpoint() + " (" + message(e) + "); to use the models already"
        + " downloaded to " + settings.cache() + ", set HF_HUB_OFFLINE=1", e);
  }

  private static String message(Exception e) {
    String m = e.getMessage();
    return m != null ? m : e.getClass().getSimpleName();
  }

  /** The resolve URL of a file: {endpoint}/{repo}/resolve/{revision}/{path}, each part URL-encoded. */
  URI url(HubRef ref, String path) {
    StringBuilder b = new StringBuilder(settings.endpoint().toString()).append('/').append(ref.repo())
        .append("/resolve/").append(encode(ref.revision()));
    for (String segment : path.split("/")) {
      b.append('/').append(encode(segment));
    }
    return URI.create(b.toString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** What the Hub's first answer says about a file. */
  private record Expected(String sha256, OptionalLong size) {
    static Expected of(HttpHeaders h) {
      String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse("");
      etag = etag.replaceFirst("^W/", "").replace("\"", "").strip().toLowerCase(Locale.ROOT);
      OptionalLong size = OptionalLong.empty();
      Optional<String> linked = h.firstValue("X-Linked-Size");
      if (linked.isPresent()) {
        try {
          size = OptionalLong.of(Long.parseLong(linked.get().strip()));
        } catch (NumberFormatException e) {
          size = OptionalLong.empty();
        }
      }
      return new Expected(SHA256.matcher(etag).matches() ? etag : null, size);
    }
  }

  /** Downloads into target; false when the Hub answers 404 for the file itself. */
  private boolean download(HubRef ref, String path, Path target) throws IOException, InterruptedException {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    URI url = url(ref, path);
    for (int attempt = 1; ; attempt++) {
      long have = Files.isRegularFile(part) ? Files.size(part) : 0;
      Opened o = open(url, have);
      try (InputStream body = o.response.body()) {
        int status = o.response.statusCode();
        if (status == 404 && !o.errorCode.equals("RepoNotFound") && !o.errorCode.equals("RevisionNotFound")) {
          return false;
        }
        if (status == 416 && have > 0) { // the .part is not a prefix of this file: start over
          Files.delete(part);
          continue;
        }
        if (status != 200 && status != 206) {
          throw refusal(ref, path, status, o.errorCode);
        }
        long start = 0;
        OptionalLong total = o.expected.size;
        if (status == 206) {
          Matcher m = CONTENT_RANGE.matcher(o.response.headers().firstValue("Content-Range").orElse(""));
          if (!m.matches() || Long.parseLong(m.group(1)) != have) {
            Files.deleteIfExists(part);
            continue;
          }
          start = have;
          if (total.isEmpty() && !m.group(3).equals("*")) {
            total = OptionalLong.of(Long.parseLong(m.group(3)));
          }
        } else if (total.isEmpty()) {
          OptionalLong length = o.response.headers().firstValueAsLong("Content-Length");
          total = length.isPresent() ? length : OptionalLong.empty();
        }
        if (start == 0) {
          log.accept("downloading " + ref + " " + path + (total.isPresent() ? " (" + megabytes(total.getAsLong()) + ")"
              : "") + " to " + target);
        } else {
          log.accept("resuming " + ref + " " + path + " at " + megabytes(start));
        }
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            start == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND)) {
          body.transferTo(out);
        } catch (IOException e) {
          if (attempt >= ATTEMPTS) {
            throw new IOException("the connection dropped " + ATTEMPTS + " times (" + message(e) + "); the "
                + megabytes(Files.size(part)) + " received are kept in " + part + " and the next run resumes there", e);
          }
          log.accept("connection lost after " + megabytes(Files.size(part)) + " of " + path + " (" + message(e)
              + "); resuming");
          continue;
        }
        verify(ref, path, part, o.expected.sha256, total);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
      }
    }
  }

  /** Size and SHA-256 against the Hub's; a mismatch deletes the download. */
  private static void verify(HubRef ref, String path, Path part, String sha256, OptionalLong size) throws IOException {
    long got = Files.size(part);
    if (size.isPresent() && got != size.getAsLong()) {
      Files.delete(part);
      throw new StoreException(ref + ": " + path + ": received " + got + " bytes, the Hub reports " + size.getAsLong()
          + "; the download was deleted, run again");
    }
    if (sha256 != null) {
      String actual = sha256(part);
      if (!actual.equals(sha256)) {
        Files.delete(part);
        throw new StoreException(ref + ": " + path + ": checksum mismatch (sha256 " + actual + ", the Hub reports "
            + sha256 + "); the download was deleted, run again");
      }
    }
  }

  static String sha256(Path file) throws IOException {
    return Sha256.hex(file);
  }

  /** The one-line reason for a refusal, by the Hub's X-Error-Code when it sends one (as huggingface_hub reads it). */
  private StoreException refusal(HubRef ref, String path, int status, String errorCode) {
    String tokenHint = settings.token() == null ? "set HF_TOKEN to a token that may read it"
        : "the HF_TOKEN sent was not accepted for it";
    String why = switch (errorCode) {
      case "RepoNotFound" -> "no such repository on " + settings.endpoint() + " (or it is private: " + tokenHint + ")";
      case "RevisionNotFound" -> "no revision " + ref.revision();
      case "GatedRepo" -> "the repository is gated: accept its terms on " + settings.endpoint() + "/" + ref.repo()
          + " and " + tokenHint;
      default -> switch (status) {
        case 401, 403 -> "the repository is private or gated: " + tokenHint;
        case 404 -> "no such repository or revision";
        case 429 -> "the Hub is rate-limiting requests; wait and run again";
        default -> "the server answered HTTP " + status;
      };
    };
    return new StoreException(ref + ": " + path + ": " + why + " (HTTP " + status + ")");
  }

  /** An answer to a GET after redirects, with the first (Hub) answer's metadata and error code. */
  private record Opened(HttpResponse<InputStream> response, Expected expected, String errorCode) {}

  private Opened open(URI url, long from) throws IOException, InterruptedException {
    URI u = url;
    Expected expected = null;
    String errorCode = "";
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(u).GET().header("User-Agent", "jdiffusion");
      if (from > 0) {
        b.header("Range", "bytes=" + from + "-");
      }
      if (settings.mayAuthorize(u)) {
        b.header("Authorization", "Bearer " + settings.token());
      }
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (hop == 0) {
        expected = Expected.of(r.headers());
        errorCode = r.headers().firstValue("X-Error-Code").orElse("");
      }
      int s = r.statusCode();
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        r.body().close();
        String location = r.headers().firstValue("Location")
            .orElseThrow(() -> new IOException("HTTP " + s + " without a Location from " + r.uri()));
        u = r.uri().resolve(location);
        continue;
      }
      return new Opened(r, expected, errorCode);
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
  }

  private static String megabytes(long bytes) {
    return bytes < 1 << 20 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }
}
