package io.jdiffusion.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.store.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven over the DevTools protocol with the JDK's own WebSocket client: start it
 * on a page, call protocol methods, evaluate JavaScript, close it.
 */
final class DevTools implements AutoCloseable {
  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private DevTools(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** Starts headless Chromium on {@code url} and connects to its page. */
  static DevTools open(Path browser, String url, Path profile, int width, int height) throws Exception {
    Files.createDirectories(profile);
    ProcessBuilder pb = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height, url);
    pb.redirectErrorStream(true);
    pb.redirectOutput(profile.resolve("chromium.log").toFile());
    Process p = pb.start();
    try {
      Path active = profile.resolve("DevToolsActivePort");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.isRegularFile(active) || Files.readAllLines(active).size() < 2) {
        if (System.nanoTime() > end || !p.isAlive()) {
          throw new IllegalStateException("chromium did not open its DevTools port: "
              + Files.readString(profile.resolve("chromium.log")));
        }
        Thread.sleep(100);
      }
      int port = Integer.parseInt(Files.readAllLines(active).get(0).strip());
      HttpClient http = HttpClient.newHttpClient();
      String target = null;
      while (target == null) {
        JsonNode list = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : list) {
          if (t.path("type").asText().equals("page")) {
            target = t.path("webSocketDebuggerUrl").asText();
          }
        }
        if (target == null) {
          if (System.nanoTime() > end) {
            throw new IllegalStateException("chromium opened no page");
          }
          Thread.sleep(100);
        }
      }
      DevTools[] self = new DevTools[1];
      WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(target), new WebSocket.Listener() {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          message.append(data);
          if (last) {
            self[0].receive(message.toString());
            message.setLength(0);
          }
          webSocket.request(1);
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
      self[0] = new DevTools(p, ws);
      return self[0];
    } catch (Exception e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw e;
    }
  }

  private void receive(String text) {
    try {
      JsonNode m = Json.mapper().readTree(text);
      CompletableFuture<JsonNode> f = m.has("id") ? pending.remove(m.get("id").asInt()) : null;
      if (f != null) {
        if (m.has("error")) {
          f.completeExceptionally(new IllegalStateException("DevTools error: " + m.get("error")));
        } else {
          f.complete(m.path("result"));
        }
      }
    } catch (Exception e) {
      pending.values().forEach(f -> f.completeExceptionally(e));
    }
  }

  /** Calls a protocol method and waits for its result. */
  JsonNode call(String method, Map<String, Object> params, long seconds) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = Json.mapper().createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", Json.mapper().valueToTree(params));
    socket.sendText(Json.mapper().writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
    return f.get(seconds, TimeUnit.SECONDS);
  }

  /** Evaluates {@code expression} in the page (awaiting a promise) and returns its value. */
  JsonNode eval(String expression, long seconds) throws Exception {
    JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true),
        seconds);
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("page script failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /**
   * Waits until the JavaScript condition holds in the page, checking every 100 ms; a navigation that
   * replaces the page meanwhile (the first load) starts the wait again in the new page.
   */
  void await(String condition, long seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      try {
        eval("new Promise((resolve) => { const t = setInterval(() => { try { if (" + condition + ") {"
            + " clearInterval(t); resolve(true); } } catch (e) { } }, 100); })", seconds);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!String.valueOf(e.getMessage()).contains("context was destroyed") || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** A mouse event at page coordinates (pressed, moved or released, with the left button). */
  void mouse(String type, double x, double y) throws Exception {
    call("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "buttons",
        type.equals("mouseReleased") ? 0 : 1, "clickCount", 1), 10);
  }

  @Override
  public void close() {
    try {
      call("Browser.close", Map.of(), 10);
    } catch (Exception e) {
      // closing anyway
    }
    socket.abort();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
