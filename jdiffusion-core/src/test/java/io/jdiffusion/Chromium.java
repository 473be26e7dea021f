package io.jdiffusion;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The headless browser of the tests that screenshot pages (the run report, the serve page). */
public final class Chromium {
  private Chromium() {}

  /** The Chromium binary: $JDIFFUSION_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH; null if none. */
  public static Path binary() {
    String env = System.getenv("JDIFFUSION_CHROMIUM");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }
}
