package io.jdiffusion.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A restricted reader of PyTorch's {@code torch.save} files ({@code pytorch_model.bin},
 * {@code diffusion_pytorch_model.bin}: a zip of {@code data.pkl} and one {@code data/KEY} entry per
 * storage, PyTorch 1.6 and later): a state dict of tensors and nothing else. The pickle is interpreted
 * by a small stack machine that knows the opcodes torch.save writes (protocol 2) and only these
 * callables: {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the {@code torch.*Storage} types of float32, float16,
 * bfloat16 and float64 (read as float32). Any other global (code a pickle would run, such as
 * {@code os.system}) is refused before anything is called: nothing is ever executed, only tensors are
 * built. The pre-1.6 format (not a zip) is refused with the command that converts it.
 */
public final class TorchPickle {
  private TorchPickle() {}

  private static final Set<String> STORAGES = Set.of("FloatStorage", "HalfStorage", "BFloat16Storage",
      "DoubleStorage");

  /** Integer storages: accepted only for tensors the caller skips (an old text encoder's position_ids). */
  private static final Set<String> INTEGER_STORAGES = Set.of("LongStorage", "IntStorage");

  /** A tensor of an integer storage, not read: kept only to be skipped by name. */
  private record IntegerTensor(String type) {}

  /** A storage named by the pickle: its dtype and its key in the zip. */
  private record Storage(String type, String key) {}

  private record Global(String module, String name) {}

  private static final Object MARK = new Object();

  /** Reads every tensor of a torch.save file as float32, by name. */
  public static Map<String, Safetensors.Entry> read(Path file) {
    return read(file, name -> false);
  }

  /**
   * {@link #read(Path)} leaving out the tensors {@code skip} names; those may be integer tensors
   * (transformers' int64 {@code position_ids} buffer), which are never read.
   */
  public static Map<String, Safetensors.Entry> read(Path file, java.util.function.Predicate<String> skip) {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (IOException e) {
      throw new StoreException(file + " is not a zip-format PyTorch file (saved before PyTorch 1.6, or not a .bin at "
          + "all); convert it once with: python3 -c \"import torch; from safetensors.torch import save_file; "
          + "save_file(torch.load('" + file + "', map_location='cpu'), '" + file + ".safetensors')\"");
    }
    try (zip) {
      String prefix = null;
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
          prefix = name.substring(0, name.length() - "data.pkl".length());
        }
      }
      if (prefix == null) {
        throw new StoreException(file + ": no data.pkl in the zip (not a torch.save file)");
      }
      ZipEntry bo = zip.getEntry(prefix + "byteorder");
      ByteOrder order = bo != null && new String(readAll(zip, bo, 16), StandardCharsets.US_ASCII).strip().equals("big")
          ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      byte[] pkl = readAll(zip, zip.getEntry(prefix + "data.pkl"), 256L << 20);
      Object root = new Machine(file, zip, prefix, order).run(pkl);
      if (!(root instanceof Map<?, ?> m)) {
        throw new StoreException(file + ": holds a " + describe(root) + ", not a state dict of tensors");
      }
      Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getKey() instanceof String k && skip.test(k)) {
          continue;
        }
        if (e.getValue() instanceof IntegerTensor i) {
          throw new StoreException(file + ": tensor " + e.getKey() + " holds integers (" + i.type() + "), not weights");
        }
        if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof Safetensors.Entry t)) {
          throw new StoreException(file + ": entry " + e.getKey() + " is a " + describe(e.getValue()) + ", not a tensor");
        }
        out.put(k, t);
      }
      return out;
    } catch (IOException e) {
      throw new StoreException(file + ": unreadable (" + e.getMessage() + ")");
    }
  }

  private static String describe(Object o) {
    return o == null ? "None" : o instanceof Map ? "dict" : o instanceof List ? "list" : o.getClass().getSimpleName();
  }

  private static byte[] readAll(ZipFile zip, ZipEntry e, long max) throws IOException {
    if (e == null) {
      throw new IOException("missing zip entry");
    }
    if (e.getSize() > max) {
      throw new IOException(e.getName() + " is " + e.getSize() + " bytes, over the " + max + " allowed");
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8) + 1);
      if (b.length > max) {
        throw new IOException(e.getName() + " is over " + max + " bytes");
      }
      return b;
    }
  }

  /** The pickle stack machine, limited to what torch.save writes. */
  private static final class Machine {
    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final ByteOrder order;
    private final Map<String, float[]> storages = new HashMap<>();
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Map<Integer, Object> memo = new HashMap<>();
    private ByteBuffer in;

    Machine(Path file, ZipFile zip, String prefix, ByteOrder order) {
      this.file = file;
      this.zip = zip;
      this.prefix = prefix;
      this.order = order;
    }

    private StoreException bad(String what) {
      return new StoreException(file + ": refused (" + what + "); only state dicts of tensors are read");
    }

    private Object pop() {
      if (stack.isEmpty()) {
        throw bad("corrupt pickle: stack underflow");
      }
      return stack.pop();
    }

    private List<Object> popToMark() {
      List<Object> items = new ArrayList<>();
      while (true) {
        Object o = pop();
        if (o == MARK) {
          break;
        }
        items.add(0, o);
      }
      return items;
    }

    private String line() {
      StringBuilder sb = new StringBuilder();
      while (true) {
        byte b = in.get();
        if (b == '\n') {
          return sb.toString();
        }
        sb.append((char) (b & 0xFF));
      }
    }

    private String utf8(int n) {
      if (n < 0 || n > in.remaining()) {
        throw bad("corrupt pickle: string length " + n);
      }
      byte[] b = new byte[n];
      in.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    Object run(byte[] pkl) {
      in = ByteBuffer.wrap(pkl).order(ByteOrder.LITTLE_ENDIAN);
      try {
        while (true) {
          int op = in.get() & 0xFF;
          switch (op) {
            case 0x80 -> in.get(); // PROTO
            case 0x95 -> in.getLong(); // FRAME
            case '}' -> stack.push(new LinkedHashMap<Object, Object>());
            case ']' -> stack.push(new ArrayList<Object>());
            case ')' -> stack.push(List.of());
            case '(' -> stack.push(MARK);
            case 'N' -> stack.push(NONE);
            case 0x88 -> stack.push(Boolean.TRUE);
            case 0x89 -> stack.push(Boolean.FALSE);
            case 'K' -> stack.push((long) (in.get() & 0xFF));
            case 'M' -> stack.push((long) (in.getShort() & 0xFFFF));
            case 'J' -> stack.push((long) in.getInt());
            case 0x8a -> { // LONG1
              int n = in.get() & 0xFF;
              if (n > 8) {
                throw bad("an integer of " + n + " bytes");
              }
              long v = 0;
              for (int i = 0; i < n; i++) {
                v |= (long) (in.get() & 0xFF) << (8 * i);
              }
              if (n > 0 && n < 8 && (v >> (8 * n - 1) & 1) == 1) {
                v -= 1L << (8 * n);
              }
              stack.push(v);
            }
            case 'G' -> stack.push(in.order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT, big-endian
            case 'X' -> stack.push(utf8(in.order(ByteOrder.LITTLE_ENDIAN).getInt()));
            case 0x8c -> stack.push(utf8(in.get() & 0xFF)); // SHORT_BINUNICODE
            case 'q' -> memo.put(in.get() & 0xFF, stack.peek());
            case 'r' -> memo.put(in.getInt(), stack.peek());
            case 0x94 -> memo.put(memo.size(), stack.peek()); // MEMOIZE
            case 'h' -> stack.push(get(in.get() & 0xFF));
            case 'j' -> stack.push(get(in.getInt()));
            case 't' -> stack.push(popToMark());
            case 0x85 -> stack.push(List.of(pop()));
            case 0x86 -> {
              Object b = pop();
              stack.push(List.of(pop(), b));
            }
            case 0x87 -> {
              Object c = pop();
              Object b = pop();
              stack.push(List.of(pop(), b, c));
            }
            case 'c' -> stack.push(global(line(), line()));
            case 'Q' -> stack.push(persistent(pop()));
            case 'R' -> {
              Object args = pop();
              stack.push(call(pop(), args));
            }
            case 's' -> {
              Object v = pop();
              Object k = pop();
              dict(stack.peek()).put(k, v);
            }
            case 'u' -> {
              List<Object> kv = popToMark();
              Map<Object, Object> d = dict(stack.peek());
              for (int i = 0; i + 1 < kv.size(); i += 2) {
                d.put(kv.get(i), kv.get(i + 1));
              }
            }
            case 'a' -> {
              Object v = pop();
              list(stack.peek()).add(v);
            }
            case 'e' -> {
              List<Object> items = popToMark();
              list(stack.peek()).addAll(items);
            }
            case 'b' -> { // BUILD: an OrderedDict's __dict__ (the state dict's _metadata): not needed
              pop();
              if (!(stack.peek() instanceof Map)) {
                throw bad("BUILD on a " + describe(stack.peek()));
              }
            }
            case '.' -> {
              return pop();
            }
            default -> throw bad(String.format("pickle opcode 0x%02x, which torch.save does not write", op));
          }
        }
      } catch (java.nio.BufferUnderflowException e) {
        throw bad("corrupt pickle: it ends early");
      }
    }

    private static final Object NONE = new Object();

    private Object get(int i) {
      if (!memo.containsKey(i)) {
        throw bad("corrupt pickle: memo " + i);
      }
      return memo.get(i);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
      if (!(o instanceof LinkedHashMap)) {
        throw bad("an item set on a " + describe(o));
      }
      return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
      if (!(o instanceof ArrayList)) {
        throw bad("an append to a " + describe(o));
      }
      return (List<Object>) o;
    }

    private Object global(String module, String name) {
      boolean ok = module.equals("collections") && name.equals("OrderedDict")
          || module.equals("torch._utils") && (name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_parameter"))
          || module.equals("torch") && (STORAGES.contains(name) || INTEGER_STORAGES.contains(name));
      if (!ok) {
        throw bad("the pickle calls " + module + "." + name);
      }
      return new Global(module, name);
    }

    private Object persistent(Object pid) {
      if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))
          || !(t.get(1) instanceof Global g) || !g.module().equals("torch") || !(t.get(2) instanceof String key)) {
        throw bad("a persistent id that is not a storage");
      }
      return new Storage(g.name(), key);
    }

    private Object call(Object f, Object args) {
      if (!(f instanceof Global g) || !(args instanceof List<?> a)) {
        throw bad("a call of " + describe(f));
      }
      switch (g.name()) {
        case "OrderedDict" -> {
          if (!a.isEmpty()) {
            throw bad("OrderedDict with arguments");
          }
          return new LinkedHashMap<Object, Object>();
        }
        case "_rebuild_parameter" -> {
          if (a.isEmpty() || !(a.get(0) instanceof Safetensors.Entry || a.get(0) instanceof IntegerTensor)) {
            throw bad("_rebuild_parameter without a tensor");
          }
          return a.get(0);
        }
        case "_rebuild_tensor_v2" -> {
          return tensor(a);
        }
        default -> throw bad("a call of " + g.module() + "." + g.name());
      }
    }

    private Object tensor(List<?> a) {
      if (!a.isEmpty() && a.get(0) instanceof Storage st && INTEGER_STORAGES.contains(st.type())) {
        return new IntegerTensor(st.type());
      }
      if (a.size() < 4 || !(a.get(0) instanceof Storage s) || !(a.get(1) instanceof Long offset)
          || !(a.get(2) instanceof List<?> size) || !(a.get(3) instanceof List<?> stride) || size.size() != stride.size()) {
        throw bad("_rebuild_tensor_v2 with arguments other than (storage, offset, size, stride, ...)");
      }
      float[] data = storage(s);
      int dims = size.size();
      long[] shape = new long[dims];
      long[] strides = new long[dims];
      long count = 1;
      for (int i = 0; i < dims; i++) {
        shape[i] = (Long) size.get(i);
        strides[i] = (Long) stride.get(i);
        if (shape[i] < 0 || strides[i] < 0) {
          throw bad("a negative size or stride");
        }
        count = Math.multiplyExact(count, shape[i]);
      }
      if (count > Integer.MAX_VALUE - 8) {
        throw bad("a tensor of " + count + " elements");
      }
      float[] values = new float[(int) count];
      long[] index = new long[dims];
      for (int n = 0; n < count; n++) {
        long at = offset;
        for (int i = 0; i < dims; i++) {
          at += index[i] * strides[i];
        }
        if (at < 0 || at >= data.length) {
          throw bad("a tensor reaching outside its storage");
        }
        values[n] = data[(int) at];
        for (int i = dims - 1; i >= 0; i--) {
          if (++index[i] < shape[i]) {
            break;
          }
          index[i] = 0;
        }
      }
      return new Safetensors.Entry(shape, values);
    }

    private float[] storage(Storage s) {
      float[] cached = storages.get(s.key());
      if (cached != null) {
        return cached;
      }
      if (!STORAGES.contains(s.type())) {
        throw bad("a storage of type " + s.type());
      }
      if (!s.key().matches("\\d{1,12}")) {
        throw bad("a storage named " + s.key());
      }
      byte[] raw;
      try {
        raw = readAll(zip, zip.getEntry(prefix + "data/" + s.key()), Integer.MAX_VALUE - 16L);
      } catch (IOException e) {
        throw new StoreException(file + ": storage " + s.key() + " unreadable (" + e.getMessage() + ")");
      }
      ByteBuffer b = ByteBuffer.wrap(raw).order(order);
      int width = switch (s.type()) {
        case "FloatStorage" -> 4;
        case "DoubleStorage" -> 8;
        default -> 2;
      };
      if (raw.length % width != 0) {
        throw bad("storage " + s.key() + " of " + raw.length + " bytes for " + width + "-byte values");
      }
      float[] v = new float[raw.length / width];
      for (int i = 0; i < v.length; i++) {
        v[i] = switch (s.type()) {
          case "FloatStorage" -> b.getFloat();
          case "DoubleStorage" -> (float) b.getDouble();
          case "HalfStorage" -> ForeignSafetensors.fromF16(b.getShort());
          default -> Safetensors.fromBf16(b.getShort());
        };
      }
      storages.put(s.key(), v);
      return v;
    }
  }
}
