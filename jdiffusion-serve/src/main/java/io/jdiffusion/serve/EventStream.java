package io.jdiffusion.serve;

import com.sun.net.httpserver.HttpExchange;
import io.jdiffusion.store.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job's progress as server-sent events, until it finishes: {@code state} (queued, running),
 * {@code progress} ({"done", "total"}), {@code preview} ({"step", "png"}: the x0 estimate as
 * base64 PNG), then one of {@code done} (the result, as the JSON result body), {@code failed} or
 * {@code cancelled} ({"status", "error"}). A slow reader skips intermediate progress and previews,
 * never the final event; a comment every {@link #KEEPALIVE_MILLIS} keeps idle connections open.
 */
final class EventStream {
  static final long KEEPALIVE_MILLIS = 15_000;

  private EventStream() {}

  /** Streams {@code job}'s events to the client; returns when the job has finished or the client left. */
  static void stream(HttpExchange ex, Job job) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      long seen = -1;
      Job.State state = null;
      long done = -1;
      int previewStep = -1;
      while (true) {
        Job.Snapshot s;
        try {
          s = job.awaitChange(seen, KEEPALIVE_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (s.version() == seen && !s.state().finished()) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          continue;
        }
        seen = s.version();
        if (s.state() != state && !s.state().finished()) {
          state = s.state();
          send(out, "state", Map.of("id", job.id, "state", state.lower()));
        }
        if (s.preview() != null && s.previewStep() != previewStep) {
          previewStep = s.previewStep();
          send(out, "preview", Map.of("step", previewStep, "png", Base64.getEncoder().encodeToString(s.preview())));
        }
        if (s.done() != done && s.state() == Job.State.RUNNING) {
          done = s.done();
          send(out, "progress", Map.of("done", done, "total", s.total()));
        }
        if (s.state().finished()) {
          if (s.state() == Job.State.DONE) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("id", job.id);
            result.putAll(s.result().json());
            send(out, "done", result);
          } else {
            send(out, s.state().lower(), Map.of("status", s.error().status(), "error", s.error().getMessage()));
          }
          return;
        }
      }
    } catch (IOException e) {
      // the client went away: nothing to tell it
    }
  }

  private static void send(OutputStream out, String event, Object data) throws IOException {
    out.write(("event: " + event + "\ndata: " + Json.compact(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
