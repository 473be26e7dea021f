package io.jdiffusion.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes that never leave a half-written file behind: data goes to a temporary file beside the
 * target, is forced to disk, then renamed over the target in one step.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What writes a file's content to a stream. */
  @FunctionalInterface
  public interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Writes the buffers, in order, to {@code target} atomically. */
  public static void write(Path target, ByteBuffer... parts) throws IOException {
    write(target, out -> {
      WritableByteChannel ch = Channels.newChannel(out);
      for (ByteBuffer b : parts) {
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
    });
  }

  /** Writes what {@code body} produces to {@code target} atomically (forced to disk, then renamed). */
  public static void write(Path target, Body body) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the default permissions
      }
      try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
          OutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
        body.write(out);
        out.flush();
        fos.getFD().sync();
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Forces a directory's entries to disk, so that a rename into it survives a power loss (POSIX
   * needs an fsync of the directory for that); a no-op where directories cannot be opened.
   */
  static void syncDirectory(Path dir) {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not supported on this file system (Windows): the rename itself is still atomic
    }
  }

  /** Writes a UTF-8 string to {@code target} atomically. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
