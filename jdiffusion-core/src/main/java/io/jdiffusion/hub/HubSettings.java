package io.jdiffusion.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where and how Hub files are fetched, read from the environment as huggingface_hub reads it.
 *
 * @param endpoint the Hub's base URL: HF_ENDPOINT, default https://huggingface.co
 * @param token HF_TOKEN, sent as {@code Authorization: Bearer} to the endpoint's host only; null when unset
 * @param offline HF_HUB_OFFLINE (1, ON, YES or TRUE, any case): use only the cache, touch no network
 * @param cache the hub cache: $JDIFFUSION_CACHE/hub, else $XDG_CACHE_HOME/jdiffusion/hub, else
 *     ~/.cache/jdiffusion/hub; files of hf:ORG/NAME@REV lie under ORG--NAME/REV/
 */
public record HubSettings(URI endpoint, String token, boolean offline, Path cache) {
  /** The Hub's own address. */
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  /** The JVM properties that override the variables of the same role (tests, embedding applications). */
  public static final String ENDPOINT_PROPERTY = "jdiffusion.hub.endpoint";
  public static final String TOKEN_PROPERTY = "jdiffusion.hub.token";
  public static final String OFFLINE_PROPERTY = "jdiffusion.hub.offline";
  public static final String CACHE_PROPERTY = "jdiffusion.cache";

  private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE"); // huggingface_hub's _is_true

  public HubSettings {
    String scheme = endpoint.getScheme();
    if (scheme == null || !(scheme.equals("https") || scheme.equals("http")) || endpoint.getHost() == null) {
      throw new IllegalArgumentException("HF_ENDPOINT " + endpoint + " is not an http(s) URL");
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
  }

  /** The settings of this process: JVM properties first, then the environment. */
  public static HubSettings fromEnvironment() {
    return from(System.getenv(), System::getProperty);
  }

  /** The settings from these variables and properties. */
  static HubSettings from(Map<String, String> env, UnaryOperator<String> properties) {
    String endpoint = first(properties.apply(ENDPOINT_PROPERTY), env.get("HF_ENDPOINT"), DEFAULT_ENDPOINT);
    String token = first(properties.apply(TOKEN_PROPERTY), env.get("HF_TOKEN"), null);
    String offline = first(properties.apply(OFFLINE_PROPERTY), env.get("HF_HUB_OFFLINE"), "0");
    Path root;
    String cache = first(properties.apply(CACHE_PROPERTY), env.get("JDIFFUSION_CACHE"), null);
    if (cache != null) {
      root = Path.of(cache);
    } else if (env.get("XDG_CACHE_HOME") != null && !env.get("XDG_CACHE_HOME").isBlank()) {
      root = Path.of(env.get("XDG_CACHE_HOME"), "jdiffusion");
    } else {
      root = Path.of(properties.apply("user.home") != null ? properties.apply("user.home") : ".", ".cache", "jdiffusion");
    }
    URI uri;
    try {
      uri = URI.create(endpoint.replaceAll("/+$", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("HF_ENDPOINT " + endpoint + " is not a URL");
    }
    return new HubSettings(uri, token, TRUE.contains(offline.strip().toUpperCase(Locale.ROOT)), root.resolve("hub"));
  }

  private static String first(String a, String b, String dflt) {
    return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : dflt;
  }

  /** The settings without the token's value, which must not reach logs. */
  @Override
  public String toString() {
    return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", offline=" + offline
        + ", cache=" + cache + "]";
  }

  /** Where the files of {@code ref} are cached. */
  public Path folder(HubRef ref) {
    return cache.resolve(ref.folderName()).resolve(ref.revision());
  }

  /** Whether the token may go to {@code uri}: the endpoint's own scheme, host and port only. */
  boolean mayAuthorize(URI uri) {
    return token != null && endpoint.getScheme().equalsIgnoreCase(uri.getScheme())
        && endpoint.getHost().equalsIgnoreCase(uri.getHost()) && port(endpoint) == port(uri);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }
}
