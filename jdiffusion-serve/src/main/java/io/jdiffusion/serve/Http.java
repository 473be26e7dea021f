package io.jdiffusion.serve;

import com.sun.net.httpserver.HttpExchange;
import io.jdiffusion.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reading requests and writing responses on an {@link HttpExchange}: JSON, bytes, errors, bounded bodies. */
final class Http {
  private Http() {}

  /**
   * Refuses what a web page elsewhere could make a browser send to this server: a request whose
   * Origin is another site (browsers send Origin on cross-origin requests), and, when the server
   * listens on loopback, a Host header that is not a loopback name (DNS rebinding). Non-browser
   * clients send no Origin and are not affected.
   *
   * @throws ApiError 403
   */
  static void checkOrigin(HttpExchange ex, String boundHost) {
    String host = ex.getRequestHeaders().getFirst("Host");
    String hostName = host == null ? "" : host.replaceAll(":\\d+$", "").toLowerCase(java.util.Locale.ROOT);
    if (isLoopback(boundHost) && !host(hostName)) {
      throw new ApiError(403, "Host " + host + " is not this loopback server's name (localhost, 127.0.0.1 or [::1])");
    }
    String origin = ex.getRequestHeaders().getFirst("Origin");
    if (origin != null && !origin.equals("null")) {
      String o = origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "").toLowerCase(java.util.Locale.ROOT);
      if (host == null || !o.equals(host.toLowerCase(java.util.Locale.ROOT))) {
        throw new ApiError(403, "cross-origin requests are refused (Origin " + origin + ", Host " + host + ")");
      }
    }
  }

  private static boolean isLoopback(String boundHost) {
    return boundHost.equals("127.0.0.1") || boundHost.equals("localhost") || boundHost.equals("::1");
  }

  private static boolean host(String name) {
    return name.isEmpty() || name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]");
  }

  /**
   * The request body, at most {@code max} bytes.
   *
   * @throws ApiError 413 when it is larger, 415 when it is declared as something other than JSON
   */
  static byte[] body(HttpExchange ex, int max) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    String t = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
    if (!t.isEmpty() && !t.contains("json") && !t.startsWith("text/plain")
        && !t.startsWith("application/x-www-form-urlencoded")) { // curl -d's default, with a JSON body
      throw new ApiError(415, "the body must be JSON (Content-Type: application/json), got " + type);
    }
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    try (InputStream in = ex.getRequestBody()) {
      if (length != null) {
        long declared;
        try {
          declared = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
          throw ApiError.badRequest("Content-Length is not a number: " + length);
        }
        if (declared > max) {
          drain(in);
          throw new ApiError(413, "the body has " + length.strip() + " bytes, more than this server's limit of " + max);
        }
      }
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        drain(in);
        throw new ApiError(413, "the body is larger than this server's limit of " + max + " bytes");
      }
      return bytes;
    }
  }

  /** Bytes of a refused body read and dropped before the answer, so that the client gets to read it. */
  static final int DRAIN_BYTES = 1 << 20;

  /**
   * Reads and drops up to {@link #DRAIN_BYTES} of a body too large to serve: closing a connection
   * with unread data makes the kernel reset it, and the client then may lose the 413 it was sent (the
   * JDK server itself drains only 64 KiB). A larger body still ends in a reset.
   */
  private static void drain(InputStream in) throws IOException {
    long left = DRAIN_BYTES;
    byte[] buffer = new byte[8192];
    int n;
    while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
      left -= n;
    }
  }

  /** A JSON response. */
  static void json(HttpExchange ex, int status, Object value) throws IOException {
    bytes(ex, status, "application/json", Json.compact(value).getBytes(StandardCharsets.UTF_8));
  }

  /** An error response: {@code {"error": "..."}} with the error's status (and its {@code Retry-After}, if any). */
  static void error(HttpExchange ex, ApiError e) throws IOException {
    if (e.retryAfterSeconds() > 0) {
      ex.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    json(ex, e.status(), Map.of("error", e.getMessage() == null ? "error" : e.getMessage()));
  }

  /** A response with a fixed-length body. */
  static void bytes(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The value of query parameter {@code name}, or null. */
  static String query(HttpExchange ex, String name) {
    String q = ex.getRequestURI().getRawQuery();
    if (q == null) {
      return null;
    }
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      if (k.equals(name)) {
        return java.net.URLDecoder.decode(eq < 0 ? "" : part.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
