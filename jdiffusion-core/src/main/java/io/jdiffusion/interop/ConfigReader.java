package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one diffusers config file with diffusers' defaults for missing keys, and errors that
 * name the file and the key: a value of the wrong type is refused, never read as the default.
 */
record ConfigReader(JsonNode c, String file) {

  String text(String key, String dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isTextual()) {
      throw new StoreException(file + ": " + key + " must be a string, got " + n);
    }
    return n.asText();
  }

  void only(String key, String dflt, String allowed) {
    String v = text(key, dflt);
    if (!v.equals(allowed)) {
      throw refuse(key, v, allowed);
    }
  }

  int integer(String key, int dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new StoreException(file + ": " + key + " must be an integer, got " + n);
    }
    return n.asInt();
  }

  double number(String key, double dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber()) {
      throw new StoreException(file + ": " + key + " must be a number, got " + n);
    }
    return n.asDouble();
  }

  boolean bool(String key, boolean dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw new StoreException(file + ": " + key + " must be true or false, got " + n);
    }
    return n.asBoolean();
  }

  List<Integer> ints(String key, List<Integer> dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : n.isArray() ? n : List.<JsonNode>of()) {
      if (!e.canConvertToInt() || !e.isIntegralNumber()) {
        throw new StoreException(file + ": " + key + " must be a list of integers, got " + n);
      }
      out.add(e.asInt());
    }
    if (out.isEmpty()) {
      throw new StoreException(file + ": " + key + " must be a non-empty list of integers, got " + n);
    }
    return out;
  }

  List<String> texts(String key, List<String> dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n.isArray() ? n : List.<JsonNode>of()) {
      out.add(e.asText());
    }
    return out;
  }

  StoreException refuse(String key, String value, String allowed) {
    return new StoreException(file + ": " + key + " \"" + value + "\" is not supported (jdiffusion computes "
        + allowed + ")");
  }

  /** Whether the config sets {@code key} (to anything but null). */
  boolean has(String key) {
    JsonNode n = c.get(key);
    return n != null && !n.isNull();
  }
}
