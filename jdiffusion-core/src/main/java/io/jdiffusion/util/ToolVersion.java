package io.jdiffusion.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This tool's version, as Maven built it (the pom's version, written into
 * {@code io/jdiffusion/version.properties} by resource filtering): the one source for
 * {@code --version} and for the provenance written into files.
 */
public final class ToolVersion {
  private static final String VERSION = load();

  private ToolVersion() {}

  /** The version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = ToolVersion.class.getResourceAsStream("/io/jdiffusion/version.properties")) {
      if (in == null) {
        return "unknown (built without Maven's resources)";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
