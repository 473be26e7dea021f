package io.jdiffusion.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Safetensors files written by other tools (diffusers' {@code diffusion_pytorch_model.safetensors},
 * the Hub's files): no checksum to verify, so every header field is bounds-checked instead: the
 * header length, each tensor's dtype, shape and offsets (within the data section, not overlapping,
 * covering it exactly, size = elements x width). F32, F16 and BF16 are read, each into float32.
 *
 * <p>The file is read tensor by tensor through a {@link FileChannel}, never whole, so files over
 * 2 GiB load (each tensor must hold fewer than 2^31 elements, as a Java array does).
 */
public final class ForeignSafetensors {
  private static final long MAX_HEADER = 100L << 20;

  private ForeignSafetensors() {}

  /** Reads every tensor of {@code file} as float32, with the header's string metadata. */
  public static Safetensors.Contents read(Path file) {
    return read(file, name -> false);
  }

  /**
   * {@link #read(Path)}, leaving out the tensors {@code skip} names: their header entries are
   * bounds-checked as the others but their data is not read, and they may have any of safetensors'
   * dtypes (transformers' CLIP text encoders before 4.31 stored an int64 position_ids buffer).
   */
  public static Safetensors.Contents read(Path file, java.util.function.Predicate<String> skip) {
    Map<String, Safetensors.Entry> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = each(file, skip, tensors::put);
    return new Safetensors.Contents(tensors, metadata);
  }

  /**
   * Reads the tensors of {@code file} one at a time, in header order, handing each to {@code consumer}
   * as soon as it is read, so that only one tensor's values are in the Java heap at once (a loader copies
   * it into the network and drops it). The whole header is checked (every entry, spans covering the data
   * exactly) before any tensor is read.
   *
   * @return the header's string metadata
   */
  public static Map<String, String> each(Path file, java.util.function.Predicate<String> skip,
      java.util.function.BiConsumer<String, Safetensors.Entry> consumer) {
    return scan(file, skip, (ch, dataStart, slots) -> {
      for (var e : slots.entrySet()) {
        consumer.accept(e.getKey(), read(ch, file, e.getKey(), e.getValue(), dataStart));
      }
    });
  }

  /** Opens {@code file}, checks its whole header, and hands the checked entries to {@code visitor}. */
  private static Map<String, String> scan(Path file, java.util.function.Predicate<String> skip, SlotVisitor visitor) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new StoreException(file + ": not a safetensors file (" + size + " bytes)");
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0, file);
      long headerLen = len.getLong(0);
      if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8) {
        throw new StoreException(file + ": not a safetensors file, or truncated (header length " + headerLen + ")");
      }
      ByteBuffer head = ByteBuffer.allocate((int) headerLen);
      readFully(ch, head, 8, file);
      JsonNode header;
      try {
        header = Json.mapper().readTree(new String(head.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new StoreException(file + ": corrupt safetensors header (not JSON)");
      }
      if (header == null || !header.isObject()) {
        throw new StoreException(file + ": corrupt safetensors header (not a JSON object)");
      }
      long dataStart = 8 + headerLen;
      long dataSize = size - dataStart;
      Map<String, String> metadata = new LinkedHashMap<>();
      List<long[]> spans = new ArrayList<>();
      Map<String, Slot> slots = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          if (e.getValue().isObject()) {
            e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          }
          continue;
        }
        if (skip.test(e.getKey())) {
          skipped(file, e.getKey(), e.getValue(), dataSize, spans);
          continue;
        }
        slots.put(e.getKey(), slot(file, e.getKey(), e.getValue(), dataSize, spans));
      }
      spans.sort((a, b) -> Long.compare(a[0], b[0]));
      long covered = 0;
      for (long[] span : spans) {
        if (span[0] != covered) {
          throw new StoreException(file + ": corrupt safetensors header (tensor data "
              + (span[0] < covered ? "overlaps" : "has a gap") + " at byte " + Math.min(span[0], covered) + ")");
        }
        covered = span[1];
      }
      if (covered != dataSize) {
        throw new StoreException(file + ": corrupt or truncated (data section " + dataSize + " bytes, header describes "
            + covered + ")");
      }
      visitor.visit(ch, dataStart, slots);
      return metadata;
    } catch (IOException e) {
      throw new StoreException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Where a tensor's data lies and how it is stored: a checked header entry. */
  private record Slot(String dtype, int width, boolean f16, long[] shape, long n, long start) {}

  /**
   * One stored tensor whose bytes have not been read yet: its dtype (F32, F16 or BF16), shape, and a way
   * to read its little-endian bytes into memory the caller owns (a native tensor's storage, so that no
   * copy passes through the Java heap).
   */
  public interface RawTensor {
    /** "F32", "F16" or "BF16". */
    String dtype();

    long[] shape();

    /** Size of the data in bytes (elements x width). */
    long bytes();

    /**
     * Reads the bytes from {@code offset} (within this tensor's data) until {@code target} is full.
     *
     * @throws StoreException when the file ends early
     */
    void readInto(long offset, ByteBuffer target);
  }

  /**
   * {@link #each} without reading: every header entry is checked first (as {@link #each} does), then
   * {@code consumer} gets each tensor in header order as a {@link RawTensor} it may read while the call
   * lasts; what it does not read is never read.
   *
   * @return the header's string metadata
   */
  public static Map<String, String> eachRaw(Path file, java.util.function.Predicate<String> skip,
      java.util.function.BiConsumer<String, RawTensor> consumer) {
    return scan(file, skip, (ch, dataStart, slots) -> {
      for (var e : slots.entrySet()) {
        Slot slot = e.getValue();
        consumer.accept(e.getKey(), new RawTensor() {
          @Override
          public String dtype() {
            return slot.dtype();
          }

          @Override
          public long[] shape() {
            return slot.shape().clone();
          }

          @Override
          public long bytes() {
            return slot.n() * slot.width();
          }

          @Override
          public void readInto(long offset, ByteBuffer target) {
            if (offset < 0 || offset + target.remaining() > bytes()) {
              throw new IllegalArgumentException("read past tensor " + e.getKey());
            }
            try {
              readFully(ch, target, dataStart + slot.start() + offset, file);
            } catch (IOException x) {
              throw new StoreException(file + ": cannot read (" + x.getMessage() + ")");
            }
          }
        });
      }
    });
  }

  @FunctionalInterface
  private interface SlotVisitor {
    void visit(FileChannel ch, long dataStart, Map<String, Slot> slots) throws IOException;
  }

  private static Slot slot(Path file, String name, JsonNode t, long dataSize, List<long[]> spans) {
    JsonNode dtype = t.get("dtype");
    JsonNode shapeNode = t.get("shape");
    JsonNode offsets = t.get("data_offsets");
    if (dtype == null || shapeNode == null || !shapeNode.isArray() || offsets == null || offsets.size() != 2
        || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
      throw new StoreException(file + ": corrupt safetensors header entry for " + name);
    }
    int width = switch (dtype.asText()) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> throw new StoreException(file + ": tensor " + name + " has dtype " + dtype.asText()
          + "; F32, F16 and BF16 can be read");
    };
    long[] shape = new long[shapeNode.size()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
        throw new StoreException(file + ": tensor " + name + " has an impossible dimension " + shapeNode.get(i));
      }
      n *= shape[i];
      if (n > Integer.MAX_VALUE - 8) {
        throw new StoreException(file + ": tensor " + name + " has more than 2^31 elements");
      }
    }
    long start = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (start < 0 || end < start || end > dataSize || end - start != n * width) {
      throw new StoreException(file + ": corrupt or truncated (tensor " + name + " out of bounds)");
    }
    if (end > start) {
      spans.add(new long[] {start, end});
    }
    return new Slot(dtype.asText(), width, dtype.asText().equals("F16"), shape, n, start);
  }

  private static Safetensors.Entry read(FileChannel ch, Path file, String name, Slot slot, long dataStart)
      throws IOException {
    long n = slot.n();
    int width = slot.width();
    long start = slot.start();
    float[] values = new float[(int) n];
    int chunk = 1 << 20; // elements per read
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(n, chunk) * width + width).order(ByteOrder.LITTLE_ENDIAN);
    int nonFinite = 0;
    boolean f16 = slot.f16();
    for (long done = 0; done < n; ) {
      int count = (int) Math.min(chunk, n - done);
      buf.clear().limit(count * width);
      readFully(ch, buf, dataStart + start + done * width, file);
      buf.flip();
      for (int i = 0; i < count; i++) {
        float v = width == 4 ? buf.getFloat()
            : f16 ? fromF16(buf.getShort()) : Safetensors.fromBf16(buf.getShort());
        nonFinite += Float.isFinite(v) ? 0 : 1;
        values[(int) done + i] = v;
      }
      done += count;
    }
    if (nonFinite > 0) {
      throw new StoreException(file + ": tensor " + name + " holds " + nonFinite
          + " non-finite values (NaN or infinity); such weights cannot be used");
    }
    return new Safetensors.Entry(slot.shape(), values);
  }

  /** Checks the header entry of a tensor that is not read and records its span (any safetensors dtype). */
  private static void skipped(Path file, String name, JsonNode t, long dataSize, List<long[]> spans) {
    JsonNode dtype = t.get("dtype");
    JsonNode shapeNode = t.get("shape");
    JsonNode offsets = t.get("data_offsets");
    if (dtype == null || shapeNode == null || !shapeNode.isArray() || offsets == null || offsets.size() != 2
        || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
      throw new StoreException(file + ": corrupt safetensors header entry for " + name);
    }
    int width = switch (dtype.asText()) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> throw new StoreException(file + ": tensor " + name + " has an unknown dtype " + dtype.asText());
    };
    long n = 1;
    for (JsonNode d : shapeNode) {
      long v = d.asLong(-1);
      if (v < 0 || v > Integer.MAX_VALUE || (v > 0 && n > Long.MAX_VALUE / 16 / v)) {
        throw new StoreException(file + ": tensor " + name + " has an impossible dimension " + d);
      }
      n *= v;
    }
    long start = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (start < 0 || end < start || end > dataSize || end - start != n * width) {
      throw new StoreException(file + ": corrupt or truncated (tensor " + name + " out of bounds)");
    }
    if (end > start) {
      spans.add(new long[] {start, end});
    }
  }

  /** IEEE 754 binary16 bits -> float32 (exact: every half value is a float). */
  static float fromF16(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) { // infinity or NaN
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) { // zero or subnormal: mant x 2^-24
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new StoreException(file + ": truncated");
      }
      pos += r;
    }
  }
}
