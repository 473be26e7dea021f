package io.jdiffusion.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): 8-byte little-endian header length, a JSON header mapping
 * names to dtype, shape and byte offsets, then the raw little-endian data. Files are written
 * atomically and carry two checksums in the header metadata, both verified by {@link #read}:
 * "checksum" ({@code sha256:HEX}) over the whole file, header and metadata included, computed with
 * its own 64 hex digits set to '0'; and "sha256", over the data section only (the first format's
 * checksum, kept as the file's content identity).
 *
 * <p>This project's own files ({@code format} metadata "jdiffusion-NAME-V") must carry a checksum:
 * "checksum" from version 2 on, at least "sha256" in version 1. Files of other tools are read
 * without one. Either way every tensor's offsets are checked: within the data section, not
 * overlapping, covering it exactly.
 *
 * <p>Tensors are stored as F32, or BF16 (round-to-nearest-even) for compact exports; both read
 * back as float arrays. NaN and infinity are refused both ways: no file with them is written, and
 * none is read.
 */
public final class Safetensors {
  private static final long MAX_HEADER = 100L << 20;

  private Safetensors() {}

  /** One stored tensor: its shape and float32 values in row-major order. */
  public record Entry(long[] shape, float[] values) {}

  /** What a file holds: tensors in file order, and the string metadata. */
  public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

  /** Metadata key of the whole-file checksum. */
  static final String CHECKSUM = "checksum";
  private static final String ZEROS = "0".repeat(64);

  /**
   * Writes {@code tensors} and {@code metadata} to {@code file} atomically.
   *
   * @param bf16 store values as bfloat16 instead of float32
   */
  public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata, boolean bf16)
      throws IOException {
    long total = 0;
    for (Entry e : tensors.values()) {
      total += (long) e.values().length * (bf16 ? 2 : 4);
    }
    if (total > Integer.MAX_VALUE) {
      throw new StoreException(file + ": more than 2 GiB of tensors");
    }
    ByteBuffer data = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    ObjectNode header = Json.mapper().createObjectNode();
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      long start = data.position();
      int nonFinite = 0;
      for (float v : e.getValue().values()) {
        if (bf16) {
          short b = toBf16(v);
          nonFinite += Float.isFinite(fromBf16(b)) ? 0 : 1;
          data.putShort(b);
        } else {
          nonFinite += Float.isFinite(v) ? 0 : 1;
          data.putFloat(v);
        }
      }
      if (nonFinite > 0) {
        throw new StoreException(file + ": not written, tensor " + e.getKey() + " holds " + nonFinite
            + " non-finite values (NaN or infinity" + (bf16 ? " after rounding to bf16" : "") + ")");
      }
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", bf16 ? "BF16" : "F32");
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(start).add(data.position());
    }
    data.flip();
    ObjectNode meta = header.putObject("__metadata__");
    metadata.forEach(meta::put);
    meta.put("sha256", Sha256.hex(data.duplicate()));
    meta.put(CHECKSUM, "sha256:" + ZEROS);
    byte[] json = Json.mapper().writer().writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    byte[] headBytes = head.array();
    int at = checksumPosition(headBytes, 8, padded);
    String sum = Sha256.hex(ByteBuffer.wrap(headBytes), data.duplicate());
    System.arraycopy(sum.getBytes(StandardCharsets.US_ASCII), 0, headBytes, at, 64);
    AtomicFiles.write(file, ByteBuffer.wrap(headBytes), data);
  }

  /** Reads and verifies a file written by {@link #write} (or any F32/BF16 safetensors file). */
  public static Contents read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new StoreException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return read(bytes, file.toString());
  }

  /**
   * Parses and verifies the bytes of a safetensors file (a classpath resource, for instance);
   * {@code file} names it in error messages.
   */
  public static Contents read(byte[] bytes, String file) {
    if (bytes.length < 8) {
      throw new StoreException(file + ": not a safetensors file (" + bytes.length + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = buf.getLong();
    if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > bytes.length - 8) {
      throw new StoreException(file + ": corrupt or truncated (header length " + headerLen + ")");
    }
    JsonNode header;
    try {
      header = Json.mapper().readTree(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreException(file + ": corrupt header (not JSON)");
    }
    if (header == null || !header.isObject()) {
      throw new StoreException(file + ": corrupt header (not a JSON object)");
    }
    int dataStart = 8 + (int) headerLen;
    ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode meta = header.get("__metadata__");
    if (meta != null) {
      meta.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    }
    String whole = metadata.get(CHECKSUM);
    if (whole != null) {
      int at = checksumPosition(bytes, 8, (int) headerLen);
      if (at < 0 || !whole.equals("sha256:" + new String(bytes, at, 64, StandardCharsets.US_ASCII))) {
        throw new StoreException(file + ": corrupt header (unreadable checksum)");
      }
      byte[] head = java.util.Arrays.copyOf(bytes, dataStart);
      System.arraycopy(ZEROS.getBytes(StandardCharsets.US_ASCII), 0, head, at, 64);
      if (!whole.substring(7).equals(Sha256.hex(ByteBuffer.wrap(head), data.duplicate()))) {
        throw new StoreException(file + ": checksum mismatch, the file is corrupt or was modified");
      }
    }
    String expected = metadata.get("sha256");
    if (expected != null && !expected.equals(Sha256.hex(data.duplicate()))) {
      throw new StoreException(file + ": checksum mismatch, the file is corrupt or was modified");
    }
    requireOwnChecksum(metadata, file);
    Map<String, Entry> tensors = new LinkedHashMap<>();
    java.util.TreeMap<Long, long[]> spans = new java.util.TreeMap<>(); // start -> [end, index]
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      tensors.put(e.getKey(), entry(file, e.getKey(), e.getValue(), data));
      long start = e.getValue().get("data_offsets").get(0).asLong();
      long end = e.getValue().get("data_offsets").get(1).asLong();
      if (end > start && spans.put(start, new long[] {end}) != null) {
        throw new StoreException(file + ": corrupt header (two tensors start at byte " + start + ")");
      }
    }
    long covered = 0;
    for (var span : spans.entrySet()) {
      if (span.getKey() != covered) {
        throw new StoreException(file + ": corrupt header (tensor data " + (span.getKey() < covered ? "overlaps" : "has a gap")
            + " at byte " + Math.min(span.getKey(), covered) + ")");
      }
      covered = span.getValue()[0];
    }
    if (covered != data.capacity()) {
      throw new StoreException(file + ": corrupt or truncated (data section " + data.capacity()
          + " bytes, header describes " + covered + ")");
    }
    return new Contents(tensors, metadata);
  }

  /**
   * Where the 64 hex digits of the "checksum" value start in a header ({@code "checksum" : "sha256:},
   * with any spaces around the colon), or -1 when it is missing or there twice.
   */
  private static int checksumPosition(byte[] bytes, int from, int length) {
    String head = new String(bytes, from, length, StandardCharsets.ISO_8859_1); // one char per byte
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + CHECKSUM + "\"\\s*:\\s*\"sha256:").matcher(head);
    if (!m.find()) {
      return -1;
    }
    int at = from + m.end();
    return m.find() || at + 64 > from + length ? -1 : at;
  }

  /**
   * This project's files ({@code format} "jdiffusion-NAME-V") carry a checksum: "checksum" from
   * version 2 on, "sha256" in version 1; without one a renamed key would switch verification off.
   */
  private static void requireOwnChecksum(Map<String, String> metadata, String file) {
    String format = metadata.getOrDefault("format", "");
    if (!format.startsWith("jdiffusion-")) {
      return;
    }
    int dash = format.lastIndexOf('-');
    int version;
    try {
      version = Integer.parseInt(format.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw new StoreException(file + ": unknown file format '" + format + "'");
    }
    if (version >= 2 ? !metadata.containsKey(CHECKSUM) : !metadata.containsKey("sha256")) {
      throw new StoreException(file + ": no checksum, the file is corrupt or was modified");
    }
  }

  private static Entry entry(String file, String name, JsonNode t, ByteBuffer data) {
    JsonNode dtype = t.get("dtype");
    JsonNode shapeNode = t.get("shape");
    JsonNode offsets = t.get("data_offsets");
    if (dtype == null || shapeNode == null || offsets == null || offsets.size() != 2) {
      throw new StoreException(file + ": corrupt header entry for " + name);
    }
    int width = switch (dtype.asText()) {
      case "F32" -> 4;
      case "BF16" -> 2;
      default -> throw new StoreException(file + ": tensor " + name + " has unsupported dtype " + dtype.asText());
    };
    long[] shape = new long[shapeNode.size()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong();
      if (shape[i] < 0) {
        throw new StoreException(file + ": tensor " + name + " has a negative dimension");
      }
      n *= shape[i];
    }
    long start = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (start < 0 || end > data.capacity() || end - start != n * width) {
      throw new StoreException(file + ": corrupt or truncated (tensor " + name + " out of bounds)");
    }
    float[] values = new float[(int) n];
    int nonFinite = 0;
    for (int i = 0; i < n; i++) {
      int pos = (int) (start + (long) i * width);
      values[i] = width == 4 ? data.getFloat(pos) : fromBf16(data.getShort(pos));
      nonFinite += Float.isFinite(values[i]) ? 0 : 1;
    }
    if (nonFinite > 0) {
      throw new StoreException(file + ": tensor " + name + " holds " + nonFinite
          + " non-finite values (NaN or infinity); such weights cannot be used");
    }
    return new Entry(shape, values);
  }

  /** float32 -> bfloat16 bits, round to nearest even (NaN kept NaN). */
  static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  static float fromBf16(short b) {
    return Float.intBitsToFloat((b & 0xFFFF) << 16);
  }
}
