package io.jdiffusion.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The lock a training process holds on its run directory ({@code RUN/.lock}) for as long as it
 * trains, so that two processes never write one run. It is an operating-system lock on the file
 * ({@link FileChannel#tryLock}): it ends with the process however that ends, so a lock file left by a
 * dead process is not held, and the next trainer takes it over, saying so. The file records who
 * holds it (process id, host, start time) for the message a second trainer gets.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file's name inside the run directory. */
  public static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code runDir} (created if missing).
   *
   * @param notice receives one line when a lock left by an earlier, dead process is taken over
   * @throws IllegalArgumentException when another process (or another trainer in this one) holds it
   */
  public static RunLock acquire(Path runDir, java.util.function.Consumer<String> notice) throws IOException {
    Files.createDirectories(runDir);
    Path file = runDir.resolve(FILE);
    String previous = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another trainer in this process
    }
    if (lock == null) {
      ch.close();
      throw new IllegalArgumentException(runDir + " is in use by another training process"
          + (previous.isEmpty() ? "" : " (" + previous + ")") + "; wait for it to finish, or train into another --out");
    }
    if (!previous.isEmpty()) {
      notice.accept("note: " + runDir + ": taking over the lock of a training process that is no longer running ("
          + previous + ")");
    }
    String me = "pid " + ProcessHandle.current().pid() + " on " + host() + ", since " + Instant.now();
    ch.truncate(0);
    ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
    ch.force(true);
    return new RunLock(ch, lock);
  }

  private static String host() {
    String name = ManagementFactory.getRuntimeMXBean().getName(); // "pid@host"
    int at = name.indexOf('@');
    return at >= 0 ? name.substring(at + 1) : "this host";
  }

  /** Releases the lock; the lock file is emptied, so that the next trainer has nothing to take over. */
  @Override
  public void close() throws IOException {
    try {
      channel.truncate(0);
      lock.release();
    } finally {
      channel.close();
    }
  }
}
