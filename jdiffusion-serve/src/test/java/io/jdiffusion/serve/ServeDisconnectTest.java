package io.jdiffusion.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A blocking request whose client closes the connection is cancelled rather than computed for
 * nobody ({@link Disconnects}), and the TCP table rules behind it.
 */
class ServeDisconnectTest {
  private static final int SERVER = 0x1F90; // 8080
  private static final int CLIENT = 0xC350; // 50000

  private static String[] row(int local, int remote, String state) {
    return new String[] {"0:", String.format("0100007F:%04X", local), String.format("0100007F:%04X", remote), state};
  }

  private static boolean gone(String[]... rows) {
    return Disconnects.gone(List.of(rows), new Disconnects.Watched(SERVER, CLIENT, () -> { }));
  }

  @Test
  void theTablesTellAClosedConnectionFromAnOpenOne() {
    String[] listening = row(SERVER, 0, "0A");
    assertFalse(gone(listening, row(SERVER, CLIENT, "01")), "established");
    assertTrue(gone(listening, row(SERVER, CLIENT, "08")), "close-wait: the client's FIN arrived");
    assertTrue(gone(listening), "no socket left: reset");
    assertFalse(gone(row(SERVER, CLIENT, "08")), "tables without the listening socket are not trusted");
    assertFalse(gone(listening, row(SERVER, CLIENT, "08"), row(SERVER, CLIENT, "01")),
        "another client with the same port is still connected");
    assertTrue(gone(listening, row(CLIENT, SERVER, "01"), row(SERVER, CLIENT, "08")),
        "the client's own end (loopback) is not the server's");
  }

  @Test
  void aBlockingRequestWhoseClientLeavesIsCancelled() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux TCP tables");
    ServeConfig c = ServeConfig.defaults(0, List.of("fashion-mnist"), "jdiffusion test").withConcurrency(1, 1);
    try (Server server = Server.start(c)) {
      String body = "{\"n\": 16, \"sampler\": \"ddpm\", \"steps\": 1000}"; // far longer than the watch's period
      Job job;
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        job = running(server);
      } // the client leaves without its answer
      Job.Snapshot end = job.awaitFinished();
      assertEquals(Job.State.CANCELLED, end.state());
      assertTrue(end.error().getMessage().contains("closed its connection"), end.error().getMessage());
      assertTrue(end.done() < end.total(), end.done() + " of " + end.total());
    }
  }

  /** Waits until the server computes a job, and returns it. */
  private static Job running(Server server) throws InterruptedException {
    while (true) {
      Optional<Job> j = server.scheduler().jobs().stream().filter(x -> x.snapshot().done() > 0).findFirst();
      if (j.isPresent()) {
        return j.get();
      }
      Thread.sleep(20);
    }
  }
}
