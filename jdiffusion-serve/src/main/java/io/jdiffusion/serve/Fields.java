package io.jdiffusion.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.image.ImageDecoder;
import io.jdiffusion.store.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fields of one JSON request body, read with types, ranges and defaults. Every read names the
 * field it read; {@link #finish} refuses the fields nobody read (a misspelt option is an error, not
 * silently the default). Each failure is an {@link ApiError} 400 naming the field.
 */
final class Fields {
  private final ObjectNode body;
  private final Set<String> known = new LinkedHashSet<>();

  private Fields(ObjectNode body) {
    this.body = body;
  }

  /** Parses a request body: a JSON object (an empty body is the empty object). */
  static Fields parse(byte[] bytes) {
    if (bytes.length == 0) {
      return new Fields(Json.mapper().createObjectNode());
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(bytes);
    } catch (IOException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      throw ApiError.badRequest("the body is not valid JSON: " + m);
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object, like {\"n\": 4}");
    }
    return new Fields((ObjectNode) node);
  }

  /** A text field, or null when absent. */
  String text(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw ApiError.badRequest(name + " must be a non-empty string, got " + v);
    }
    return v.asText();
  }

  /** A string field that may be empty (a prompt), or null when absent. */
  String string(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.badRequest(name + " must be a string, got " + v);
    }
    return v.asText();
  }

  /** A text or integer field as text (a class by name or index), or null when absent. */
  String textOrInteger(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.asText();
    }
    return text(name);
  }

  /** An integer field in [min, max], or {@code fallback} when absent. */
  int integer(String name, int fallback, int min, int max) {
    Integer v = integer(name, min, max);
    return v == null ? fallback : v;
  }

  /** An integer field in [min, max], or null when absent. */
  Integer integer(String name, int min, int max) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ApiError.badRequest(name + " must be an integer, got " + v);
    }
    long x = v.asLong();
    if (x < min || x > max) {
      throw ApiError.badRequest(name + " must be between " + min + " and " + max + ", got " + x);
    }
    return (int) x;
  }

  /** A 64-bit integer field, or {@code fallback} when absent. */
  long longInteger(String name, long fallback) {
    JsonNode v = field(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ApiError.badRequest(name + " must be a 64-bit integer, got " + v);
    }
    return v.asLong();
  }

  /** A finite number field, or null when absent. */
  Double number(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw ApiError.badRequest(name + " must be a finite number, got " + v);
    }
    return v.asDouble();
  }

  /** A boolean field, or {@code fallback} when absent. */
  boolean bool(String name, boolean fallback) {
    JsonNode v = field(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(name + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  /**
   * A required image field: a PNG, JPEG, GIF or BMP file as base64 (a {@code data:} URL is accepted),
   * at most {@code maxPixels} pixels.
   */
  BufferedImage image(String name, long maxPixels) {
    String s = text(name);
    if (s == null) {
      throw ApiError.badRequest(name + " is required: an image file as base64 (or a data: URL)");
    }
    if (s.startsWith("data:")) {
      int comma = s.indexOf(',');
      if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
        throw ApiError.badRequest(name + ": a data: URL must be base64-encoded (data:image/png;base64,...)");
      }
      s = s.substring(comma + 1);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(s.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(name + " is not valid base64 (" + e.getMessage() + ")");
    }
    try {
      return ImageDecoder.read(bytes, maxPixels);
    } catch (IOException e) {
      throw ApiError.badRequest(name + ": cannot decode the image: " + e.getMessage());
    }
  }

  /** Refuses every field that no read asked for. */
  void finish() {
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        unknown.add(f);
      }
    }
    if (!unknown.isEmpty()) {
      throw ApiError.badRequest("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
          + " (this request takes: " + String.join(", ", known) + ")");
    }
  }

  private JsonNode field(String name) {
    known.add(name);
    JsonNode v = body.get(name);
    return v == null || v.isNull() ? null : v;
  }
}
