package io.jdiffusion.cli;

import io.jdiffusion.image.PngText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Output locations, checked before any compute: a command that would sample for minutes and then
 * fail to write refuses at once instead, naming the user's path (not a temporary file).
 */
final class Outputs {
  private Outputs() {}

  /**
   * A PNG file to be written: the name ends in .png (the only format written), it is not a folder, and
   * its folder exists or can be created and is writable.
   */
  static Path png(Path file, String option) {
    return png(file, option, null);
  }

  /**
   * {@link #png(Path, String)}, and an existing file is replaced only when jdiffusion wrote it (its
   * "Software" text chunk says so) or {@code force} is set: a picture of the user's is never lost.
   *
   * @param force whether the command's --force was given; null for commands without one
   */
  static Path png(Path file, String option, Boolean force) {
    typed(file, option, "PNG", ".png");
    return replaceable(file, option, force);
  }

  /**
   * {@code file} itself, unless it exists and another program wrote it and {@code force} is not set
   * (the folder is checked by the caller, once).
   */
  static Path replaceable(Path file, String option, Boolean force) {
    if (Files.isRegularFile(file) && !Boolean.TRUE.equals(force) && !writtenByUs(file)) {
      throw new IllegalArgumentException(option + " " + file + " exists and was not written by jdiffusion; "
          + (force != null ? "pass --force to replace it, or give another name" : "give another name"));
    }
    return file;
  }

  /** Whether {@code png} is a PNG this tool wrote (its Software chunk names jdiffusion). */
  static boolean writtenByUs(Path png) {
    try {
      return png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")
          && PngText.read(png).getOrDefault("Software", "").startsWith("jdiffusion ");
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * A file to be written in one format: the name ends in one of its {@code extensions} (a name that
   * promises another format is refused, not written with the wrong content), then as {@link #writableFile}.
   */
  static Path typed(Path file, String option, String format, String... extensions) {
    Path name = file.getFileName();
    String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    if (java.util.Arrays.stream(extensions).noneMatch(n::endsWith)) {
      throw new IllegalArgumentException(option + " " + file + ": only " + format + " files are written; give a name "
          + "ending in " + String.join(" or ", extensions));
    }
    return writableFile(file, option);
  }

  /** A file to be written: not a folder, in a folder that exists or can be created and is writable. */
  static Path writableFile(Path file, String option) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " " + file + " is a folder; give a file name");
    }
    folder(file.toAbsolutePath().getParent(), option + " " + file);
    return file;
  }

  /** A folder to write into: created when missing, and proven writable by creating a file in it. */
  static Path folder(Path dir, String what) {
    if (dir.toString().isEmpty()) {
      throw new IllegalArgumentException(what + ": the folder name must not be empty");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(what + ": " + dir + " is a file, not a folder");
    }
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, ".jdiffusion-write-check", ".tmp"));
    } catch (java.io.IOException | SecurityException e) {
      throw new IllegalArgumentException(what + ": cannot write in " + dir);
    }
    return dir;
  }
}
