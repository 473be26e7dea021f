package io.jdiffusion.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices clients that closed their connection while their blocking request waits, so that its
 * computation can be cancelled instead of finishing for nobody.
 *
 * <p>The JDK's HTTP server gives a handler no way to see the connection while it computes (it reads
 * nothing more from it, and writing is only possible once the response has begun). The kernel
 * knows: a connection whose client has closed it is in state CLOSE_WAIT (the client's FIN arrived)
 * or gone from the table (reset) while the server still holds it. So every {@link #PERIOD_MILLIS}
 * one daemon thread reads Linux's TCP tables ({@code /proc/net/tcp}, {@code tcp6}) and looks up each
 * watched exchange by its local and remote ports. The tables are trusted only when they list the
 * server's listening socket; elsewhere (no {@code /proc}, another OS) nothing is ever reported and
 * requests run to their end as before. A client that half-closes its side and still waits for the
 * answer (rare over HTTP/1.1) counts as gone.
 */
final class Disconnects implements AutoCloseable {
  /** How often the tables are read while some request is watched. */
  static final long PERIOD_MILLIS = 500;
  /** TCP states (the tables' hex codes) of a connection whose client has closed or reset it. */
  private static final Set<String> CLOSED = Set.of("07", "08", "09", "0B"); // CLOSE, CLOSE_WAIT, LAST_ACK, CLOSING
  private static final String LISTEN = "0A";
  private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  /** Ends a watch. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /** A watched exchange, told once when its client is gone. */
  record Watched(int localPort, int remotePort, Runnable onGone) {}

  private final Map<Object, Watched> watched = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "jdiffusion-disconnects");
    t.setDaemon(true);
    return t;
  });

  Disconnects() {
    timer.scheduleWithFixedDelay(this::check, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Watches the connection between these ports until the returned handle is closed.
   *
   * @param localPort the server's port of the connection
   * @param remotePort the client's port
   * @param onGone run once (on the watching thread) when the client has closed the connection
   */
  Watch watch(int localPort, int remotePort, Runnable onGone) {
    Object key = new Object();
    watched.put(key, new Watched(localPort, remotePort, onGone));
    return () -> watched.remove(key);
  }

  private void check() {
    if (watched.isEmpty()) {
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (Path table : TABLES) {
      try {
        for (String line : Files.readAllLines(table)) {
          String[] f = line.strip().split("\\s+");
          if (f.length > 3 && f[1].indexOf(':') > 0) {
            rows.add(f);
          }
        }
      } catch (IOException | RuntimeException e) {
        // no such table here: nothing is known about it
      }
    }
    Map<Object, Watched> gone = new HashMap<>();
    watched.forEach((key, w) -> {
      if (gone(rows, w)) {
        gone.put(key, w);
      }
    });
    gone.forEach((key, w) -> {
      if (watched.remove(key) != null) {
        w.onGone().run();
      }
    });
  }

  /**
   * Whether the tables say the client of {@code w} is gone: they list the server's listening socket
   * (so they are real), and every socket between the two ports is closed, or there is none.
   */
  static boolean gone(List<String[]> rows, Watched w) {
    boolean listening = false;
    boolean open = false;
    for (String[] f : rows) {
      int local = port(f[1]);
      if (local != w.localPort()) {
        continue;
      }
      if (f[3].equals(LISTEN)) {
        listening = true;
      } else if (port(f[2]) == w.remotePort() && !CLOSED.contains(f[3])) {
        open = true;
      }
    }
    return listening && !open;
  }

  /** The port of a table's "ADDRESS:PORT" (both hex). */
  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
