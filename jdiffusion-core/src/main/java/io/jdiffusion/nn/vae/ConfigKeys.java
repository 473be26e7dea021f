package io.jdiffusion.nn.vae;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Typed reads of one diffusers model config.json, with the model class's defaults for missing keys
 * (diffusers' {@code ConfigMixin.from_config}), and one-line errors that name the file and the key: a
 * value of the wrong type is refused, never read as the default.
 */
record ConfigKeys(JsonNode c, String file) {

  /**
   * Checks the class name and the keys: a key that is not one of {@code known} may change the network
   * and is refused by name; keys that start with "_" (diffusers' own bookkeeping) are skipped.
   */
  static ConfigKeys of(JsonNode c, String file, String className, Set<String> known) {
    if (c == null || !c.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    String cls = c.path("_class_name").asText(className);
    if (!cls.equals(className)) {
      throw new StoreException(file + ": _class_name " + cls + " is not " + className);
    }
    List<String> unknown = new ArrayList<>();
    c.fieldNames().forEachRemaining(k -> {
      if (!k.startsWith("_") && !known.contains(k)) {
        unknown.add(k);
      }
    });
    if (!unknown.isEmpty()) {
      throw new StoreException(file + ": unknown " + className + " key" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + " (it may change the network, which jdiffusion would then compute wrongly)");
    }
    return new ConfigKeys(c, file);
  }

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

  /** The activation function named by {@code key}, one of {@code allowed}, refused by name otherwise. */
  String oneOf(String key, String dflt, Set<String> allowed) {
    String v = text(key, dflt);
    if (!allowed.contains(v)) {
      throw new StoreException(file + ": " + key + " \"" + v + "\" is not supported (jdiffusion computes "
          + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
    }
    return v;
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

  /** A number, or null when the key is missing or null. */
  Double optionalNumber(String key) {
    return c.hasNonNull(key) ? number(key, 0) : null;
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
    if (!n.isArray() || n.isEmpty()) {
      throw new StoreException(file + ": " + key + " must be a non-empty list of integers, got " + n);
    }
    for (JsonNode e : n) {
      if (!e.canConvertToInt() || !e.isIntegralNumber()) {
        throw new StoreException(file + ": " + key + " must be a list of integers, got " + n);
      }
      out.add(e.asInt());
    }
    return List.copyOf(out);
  }

  /** A list of numbers, or null when the key is missing or null. */
  List<Double> optionalNumbers(String key) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    List<Double> out = new ArrayList<>();
    if (!n.isArray()) {
      throw new StoreException(file + ": " + key + " must be a list of numbers or null, got " + n);
    }
    for (JsonNode e : n) {
      if (!e.isNumber()) {
        throw new StoreException(file + ": " + key + " must be a list of numbers or null, got " + n);
      }
      out.add(e.asDouble());
    }
    return List.copyOf(out);
  }

  List<String> texts(String key, List<String> dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    List<String> out = new ArrayList<>();
    if (!n.isArray()) {
      throw new StoreException(file + ": " + key + " must be a list of strings, got " + n);
    }
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new StoreException(file + ": " + key + " must be a list of strings, got " + n);
      }
      out.add(e.asText());
    }
    return List.copyOf(out);
  }

  /** sample_size: one integer, or a list whose first entry diffusers' tiling uses. */
  int sampleSize(int dflt) {
    JsonNode n = c.get("sample_size");
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (n.isArray() && !n.isEmpty() && n.get(0).isIntegralNumber()) {
      return n.get(0).asInt();
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new StoreException(file + ": sample_size must be an integer, got " + n);
    }
    return n.asInt();
  }

}
