package io.jdiffusion.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Streams one large JSON array of numbers without building a tree: the top-level array ({@code
 * [1, 2, ...]}) or the array held by one field of the top-level object ({@code {"data": [...]}}).
 *
 * <p>Used for the MNIST digit files (millions of floats) and the CIFAR-10 label files. Every
 * problem (missing file, malformed JSON, a non-number element, a missing field) is a {@link
 * DataException} whose one-line message starts with the file name and gives the line and column.
 */
final class JsonNumbers {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** Receives the array's elements in order. */
  interface Sink {
    /**
     * @param index position in the array
     * @param value the element
     * @throws DataException to reject the element (the message should name the file)
     */
    void accept(int index, double value);
  }

  private JsonNumbers() {}

  /**
   * Reads the array of {@code file} (the top-level array when {@code field} is null, otherwise
   * the top-level object's {@code field}) and feeds its elements to {@code sink}.
   *
   * @return the number of elements
   * @throws DataException naming the file when it is missing or not of that shape
   */
  static int read(Path file, String field, Sink sink) {
    try (JsonParser p = FACTORY.createParser(Files.newInputStream(file))) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new DataException(file + ": empty file (expected JSON)");
      }
      if (field == null) {
        expect(p, first, JsonToken.START_ARRAY, file, "a JSON array of numbers");
      } else {
        expect(p, first, JsonToken.START_OBJECT, file, "a JSON object with a \"" + field + "\" array");
        seekField(p, file, field);
        expect(p, p.nextToken(), JsonToken.START_ARRAY, file, "an array in \"" + field + "\"");
      }
      int n = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t == null) {
          throw new DataException(file + ": truncated JSON (the array is not closed)");
        }
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
          throw new DataException(
              file + ": element " + n + " is " + describe(t) + ", expected a number" + at(p));
        }
        sink.accept(n++, p.getDoubleValue());
      }
      if (field != null) {
        skipRestOfObject(p, file);
      }
      if (p.nextToken() != null) {
        throw new DataException(file + ": unexpected content after the JSON value" + at(p));
      }
      return n;
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": file not found", e);
    } catch (JsonProcessingException e) {
      throw new DataException(file + ": " + problem(e), e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + oneLine(e.getMessage()) + ")", e);
    }
  }

  private static void seekField(JsonParser p, Path file, String field) throws IOException {
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      if (field.equals(p.currentName())) {
        return;
      }
      p.nextToken();
      p.skipChildren();
    }
    throw new DataException(file + ": no \"" + field + "\" field in the top-level object");
  }

  private static void skipRestOfObject(JsonParser p, Path file) throws IOException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      if (t == null) {
        throw new DataException(file + ": truncated JSON (the object is not closed)");
      }
      p.nextToken();
      p.skipChildren();
    }
  }

  private static void expect(JsonParser p, JsonToken actual, JsonToken wanted, Path file, String what) {
    if (actual != wanted) {
      throw new DataException(file + ": expected " + what + ", found " + describe(actual) + at(p));
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the file";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  private static String at(JsonParser p) {
    return at(p.currentTokenLocation());
  }

  private static String at(JsonLocation loc) {
    if (loc == null || loc.getLineNr() < 0) {
      return "";
    }
    return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  /**
   * "truncated JSON (...)" when the input ends too early, else "malformed JSON (...)", with
   * Jackson's reason and the line and column, on one line.
   */
  static String problem(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    boolean eof = e instanceof JsonEOFException || (m != null && m.contains("end-of-input"));
    return (eof ? "truncated JSON (" : "malformed JSON (") + oneLine(m) + ")" + at(e.getLocation());
  }

  /** Jackson's message on one line, without its source-location clause, at most 160 characters. */
  static String oneLine(String s) {
    if (s == null) {
      return "no detail";
    }
    int cut = s.indexOf(" (start marker at");
    String line = (cut >= 0 ? s.substring(0, cut) : s).strip().replaceAll("\\s+", " ");
    return line.length() > 160 ? line.substring(0, 157) + "..." : line;
  }
}
