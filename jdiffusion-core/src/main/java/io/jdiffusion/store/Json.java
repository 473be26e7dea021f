package io.jdiffusion.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The project's one JSON mapper: records in and out, pretty-printed, unknown fields rejected, enum
 * values written in lower case (as the command line spells them: "eps", "cosine", "fp32") and read
 * in any case.
 */
public final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .addModule(new SimpleModule().addSerializer(Enum.class, new LowerCaseEnums()))
      .build();

  /** Writes an enum constant as its lower-case name. */
  @SuppressWarnings("rawtypes")
  private static final class LowerCaseEnums extends StdSerializer<Enum> {
    LowerCaseEnums() {
      super(Enum.class);
    }

    @Override
    public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws java.io.IOException {
      gen.writeString(value.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private Json() {}

  private static final com.fasterxml.jackson.databind.ObjectWriter COMPACT =
      MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

  /** {@code value} as JSON on one line (result lines, HTTP bodies, PNG text chunks). */
  public static String compact(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /** Parses {@code json} as a {@code type}; a malformed or mismatched document is an IllegalArgumentException. */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "invalid " + type.getSimpleName() + " JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Parses {@code json} as a {@code type} the tolerant way (as diffusers reads configs), so that files
   * outlive code changes: the stored fields are laid over {@code defaults}; a field the type does not
   * know is ignored and a field the file lacks keeps its default, each with a line to {@code warn}.
   *
   * @param what names the document in the warnings, e.g. "run/checkpoints/step-10.safetensors: model"
   */
  public static <T> T readTolerant(String json, T defaults, Class<T> type, String what,
      java.util.function.Consumer<String> warn) {
    return readTolerant(json, defaults, type, what, java.util.Set.of(), warn);
  }

  /**
   * {@link #readTolerant(String, Object, Class, String, java.util.function.Consumer)}, without a warning
   * for the fields in {@code addedLater}, by dotted path ("steps", "unet.normEps"): fields a newer
   * version added whose default is what older files meant (nothing changes for the user, so nothing is
   * said).
   */
  public static <T> T readTolerant(String json, T defaults, Class<T> type, String what,
      java.util.Set<String> addedLater, java.util.function.Consumer<String> warn) {
    com.fasterxml.jackson.databind.JsonNode stored;
    try {
      stored = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: " + e.getOriginalMessage());
    }
    if (stored == null || !stored.isObject()) {
      throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: not an object");
    }
    com.fasterxml.jackson.databind.node.ObjectNode base = MAPPER.valueToTree(defaults);
    overlay(base, (com.fasterxml.jackson.databind.node.ObjectNode) stored, "", what, addedLater, warn);
    try {
      return MAPPER.treeToValue(base, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: " + e.getOriginalMessage());
    }
  }

  private static void overlay(com.fasterxml.jackson.databind.node.ObjectNode base,
      com.fasterxml.jackson.databind.node.ObjectNode stored, String path, String what,
      java.util.Set<String> addedLater, java.util.function.Consumer<String> warn) {
    stored.fields().forEachRemaining(e -> {
      com.fasterxml.jackson.databind.JsonNode b = base.get(e.getKey());
      if (b == null && addedLater.contains(path + e.getKey())) {
        base.set(e.getKey(), e.getValue()); // a later field the defaults leave out of their JSON while at its default
      } else if (b == null) {
        warn.accept("warning: " + what + ": unknown field '" + path + e.getKey() + "' ignored (written by a newer version?)");
      } else if (b.isObject() && e.getValue().isObject()) {
        overlay((com.fasterxml.jackson.databind.node.ObjectNode) b,
            (com.fasterxml.jackson.databind.node.ObjectNode) e.getValue(), path + e.getKey() + ".", what,
            addedLater, warn);
      } else {
        base.set(e.getKey(), e.getValue());
      }
    });
    base.fieldNames().forEachRemaining(k -> {
      if (!stored.has(k) && !addedLater.contains(path + k)) {
        warn.accept("warning: " + what + ": no field '" + path + k + "', using the default " + base.get(k));
      }
    });
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
