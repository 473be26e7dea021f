package io.jdiffusion.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;

/** A small HTTP client for tests against a real server on a local port. */
final class ServeClient {
  /**
   * A response: status, body bytes, content type and its Retry-After header (null when none).
   */
  record Reply(int status, byte[] body, String type, String retryAfter) {
    Reply(int status, byte[] body, String type) {
      this(status, body, type, null);
    }

    JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (" + status + "): " + text(), e);
      }
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The error message of a JSON error body. */
    String error() {
      return json().path("error").asText();
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  ServeClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Reply delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  Reply post(String path, String json) {
    return post(path, json, "application/json");
  }

  Reply post(String path, String body, String type) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** {@link #post(String, String)}, retried after the server's Retry-After while it answers 429 (up to 2 minutes). */
  Reply postWhenRoom(String path, String json) throws InterruptedException {
    long end = System.nanoTime() + 120_000_000_000L;
    while (true) {
      Reply r = post(path, json);
      if (r.status() != 429 || System.nanoTime() > end) {
        return r;
      }
      Thread.sleep(1000L * (r.retryAfter() != null ? Long.parseLong(r.retryAfter()) : 1));
    }
  }

  /** A POST as a page on {@code origin} would make a browser send it. */
  Reply postFrom(String origin, String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .header("Origin", origin).POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** The request's lines as they arrive (server-sent events), up to the end of the stream. */
  java.util.stream.Stream<String> lines(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
          HttpResponse.BodyHandlers.ofLines()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private Reply send(HttpRequest.Builder b) {
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
          r.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Decodes a base64 PNG of a JSON result. */
  static BufferedImage image(String base64) {
    return decode(Base64.getDecoder().decode(base64));
  }

  static BufferedImage decode(byte[] png) {
    try {
      return ImageIO.read(new ByteArrayInputStream(png));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pixels of an image as packed ints (grey or RGB), for exact comparisons. */
  static int[] pixels(BufferedImage image) {
    return image.getRaster().getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
  }

  /** An image as base64 PNG, for request bodies. */
  static String base64Png(BufferedImage image) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      ImageIO.write(image, "png", out);
      return Base64.getEncoder().encodeToString(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
