package io.jdiffusion.data;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where fetched datasets live: one folder per dataset under a cache root.
 *
 * <p>The root is, in order of preference: the environment variable {@code JDIFFUSION_DATA};
 * {@code $XDG_CACHE_HOME/jdiffusion}; {@code ~/.cache/jdiffusion}. So {@code jdiffusion data fetch
 * cifar10} unpacks into {@code ~/.cache/jdiffusion/cifar10} by default, and the dataset spec
 * {@code cifar10} reads from there.
 */
public final class DataHome {
  /** Environment variable that overrides the cache root. */
  public static final String ENV = "JDIFFUSION_DATA";

  private DataHome() {}

  /** The cache root for this process's environment. */
  public static Path root() {
    return root(System::getenv, System.getProperty("user.home"));
  }

  /** The folder of dataset {@code name} under {@link #root()}. */
  public static Path dir(String name) {
    return root().resolve(name);
  }

  /**
   * The cache root for the given environment (for tests).
   *
   * @param env environment lookup, returning null for unset variables
   * @param userHome the user's home folder
   * @throws DataException if a variable holds an impossible path
   */
  static Path root(UnaryOperator<String> env, String userHome) {
    String explicit = env.apply(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return path(explicit, ENV);
    }
    String xdg = env.apply("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return path(xdg, "XDG_CACHE_HOME").resolve("jdiffusion");
    }
    return path(userHome == null ? "." : userHome, "user.home").resolve(".cache").resolve("jdiffusion");
  }

  private static Path path(String value, String variable) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new DataException(variable + "='" + value + "' is not a valid path", e);
    }
  }
}
