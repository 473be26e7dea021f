package io.jdiffusion.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one place that knows JavaCPP's awkward parts: native start-up, scope helpers,
 * scalars, conversions between Java arrays and tensors. Model, samplers and training call these so
 * that they read like the papers.
 *
 * <p>Memory rule: every tensor is created inside a {@link PointerScope}; a
 * block runs in {@link #scoped} which releases its intermediates and hands only its output to the
 * caller's scope.
 */
public final class Torch {
  private static volatile boolean initialized;
  private static volatile Device device = Device.CPU;
  /** A device chosen for the current thread only ({@link #with}), over the process's default. */
  private static final ThreadLocal<Device> threadDevice = new ThreadLocal<>();

  private Torch() {}

  /**
   * Loads libtorch safely and sets threads. Runs before any other torch class is touched: building a
   * {@link UNet} calls it, so does loading a pipeline; call it yourself before other tensor work.
   *
   * <ul>
   *   <li>the native resources are cached first: with an empty JavaCPP cache, loading libjnitorch
   *       directly crashed.
   *   <li>OpenBLAS to one thread so that it does not fight libtorch's OpenMP pool.
   *   <li>NNPACK off: see the comment at the call.
   * </ul>
   *
   * @param threads intra-op threads for libtorch; 0 keeps the current setting (at first: one per
   *     physical core)
   */
  public static synchronized void init(int threads) {
    if (threads < 0 || threads > 1024) {
      throw new IllegalArgumentException("threads must be between 0 (all cores) and 1024, got " + threads);
    }
    if (!initialized) {
      String platform = Loader.getPlatform();
      try {
        Loader.cacheResources("/org/bytedeco/javacpp/" + platform + "/");
        Loader.cacheResources("/org/bytedeco/openblas/" + platform + "/");
        Loader.cacheResources("/org/bytedeco/pytorch/" + platform + "/");
        if (Torch.class.getResource("/org/bytedeco/cuda/" + platform + "/") != null) { // the GPU build (-Pcuda)
          Loader.cacheResources("/org/bytedeco/cuda/" + platform + "/");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot unpack native libraries: " + e.getMessage(), e);
      }
      Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
      org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
      Loader.load(torch.class);
      // NNPACK is only ever chosen for a few forward convolutions; on CPUs it does not support (AMD Zen 5)
      // libtorch asks it on every convolution and logs "Could not initialize NNPACK!" each time
      torch.globalContext().setUserEnabledNNPACK(false);
      // libtorch's default is its own count of physical cores, which came out as 1 on the 2-core AMD
      // Zen 5 machines (the same CPU detection that fails NNPACK there): count them from cpuinfo instead
      torch.set_num_threads(CpuInfo.current().physicalCores());
      initialized = true;
    }
    if (threads > 0) {
      torch.set_num_threads(threads);
    }
  }

  /** {@link #init(int)} with libtorch's default thread count. */
  public static void init() {
    init(0);
  }

  /**
   * Makes {@code d} the device on which every later tensor is created (starting the engine first).
   * Set it before building a model: a model's parameters live where they were created.
   *
   * @throws IllegalArgumentException when {@code d} is a GPU that this libtorch or this machine does not
   *     have (the CPU build has no CUDA; a GPU build needs an NVIDIA driver and the device to exist)
   */
  public static synchronized void use(Device d) {
    check(d);
    device = d;
  }

  /** Checks that {@code d} exists here, as {@link #use} does, without making it the default. */
  public static void check(Device d) {
    init();
    if (d.cuda()) {
      if (!torch.cuda_is_available()) {
        throw new IllegalArgumentException("device " + d + " is not available: "
            + (torch.hasCUDA() ? "no NVIDIA GPU is visible to this process"
                : "this build's libtorch has no CUDA (build with mvn -Pcuda, see docs/scale.md)"));
      }
      int count = torch.cuda_device_count();
      if (d.index() >= count) {
        throw new IllegalArgumentException("device " + d + " does not exist: this machine has " + count + " CUDA device(s)");
      }
    }
  }

  /**
   * The device on which tensors are created on this thread: the one {@link #with} set for the call in
   * progress, else the process's ({@link Device#CPU} unless {@link #use} chose another).
   */
  public static Device device() {
    Device d = threadDevice.get();
    return d != null ? d : device;
  }

  /**
   * Runs {@code body} on this thread with {@code d} as the device (null: the process's) and {@code
   * threads} intra-op threads (0: as they are), then restores both. libtorch's OpenMP thread count
   * belongs to the calling thread, so that pipelines on different threads each keep their own; the
   * device is a thread-local choice over {@link #use}'s default.
   */
  public static <T> T with(Device d, int threads, Supplier<T> body) {
    init();
    Device before = threadDevice.get();
    int threadsBefore = threads > 0 ? torch.get_num_threads() : 0;
    if (d != null) {
      threadDevice.set(d);
    }
    if (threads > 0) {
      torch.set_num_threads(threads);
    }
    try {
      return body.get();
    } finally {
      if (threads > 0) {
        torch.set_num_threads(threadsBefore);
      }
      if (before == null) {
        threadDevice.remove();
      } else {
        threadDevice.set(before);
      }
    }
  }

  /** {@code t} on the current device: {@code t} itself when it is there already, else a copy. */
  public static Tensor onDevice(Tensor t) {
    Device d = device();
    if (!d.cuda()) {
      return onCpu(t);
    }
    return t.is_cuda() && (d.index() == -1 || t.device().index() == d.index()) ? t : t.to(d.torch(), t.scalar_type());
  }

  /** {@code t} on the CPU, where Java can read it: {@code t} itself, or a copy from the GPU. */
  public static Tensor onCpu(Tensor t) {
    return t.is_cpu() ? t : t.cpu();
  }

  /**
   * Runs {@code body} in a nested scope: its intermediates are freed on return, and only the
   * returned tensor survives, attached to the caller's scope. Called outside any
   * scope (a user's own code), the result is left to the garbage collector.
   */
  public static <T extends Pointer> T scoped(Supplier<T> body) {
    PointerScope outer = PointerScope.getInnerScope();
    try (PointerScope inner = new PointerScope()) {
      T out = body.get();
      if (outer != null) {
        outer.attach(out);
      } else {
        out.retainReference(); // survives the inner scope; freed when no longer reachable
      }
      return out;
    }
  }

  /** Moves {@code t} from the current scope to the one enclosing it, so it outlives the current. */
  public static <T extends Pointer> T keep(T t, PointerScope target) {
    target.attach(t);
    return t;
  }

  /** A libtorch scalar. Scalars are small native objects and follow the scope rule like tensors. */
  public static Scalar s(double v) {
    return new Scalar(v);
  }

  /** A float32 tensor on the current device holding a copy of {@code data} with the given shape. */
  public static Tensor tensor(float[] data, long... shape) {
    return onDevice(cpuTensor(data, shape));
  }

  /** A float32 tensor on the CPU holding a copy of {@code data} (for work that is CPU-only by nature). */
  public static Tensor cpuTensor(float[] data, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException("shape has " + n + " elements, data " + data.length);
    }
    Tensor t = torch.empty(shape);
    try (FloatPointer p = new FloatPointer(t.data_ptr())) {
      p.put(data, 0, data.length);
    }
    return t;
  }

  /** An int64 tensor [n] holding {@code values} (indices, labels). */
  public static Tensor longs(int[] values) {
    long[] v = new long[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[i];
    }
    return longs(v);
  }

  /** An int64 tensor [n] on the current device holding {@code values}. */
  public static Tensor longs(long[] v) {
    Tensor t = torch.empty(new long[] {v.length}, new TensorOptions(ScalarType.Long), new org.bytedeco.pytorch.MemoryFormatOptional());
    try (org.bytedeco.javacpp.LongPointer p = new org.bytedeco.javacpp.LongPointer(t.data_ptr())) {
      p.put(v, 0, v.length);
    }
    return onDevice(t);
  }

  /** A 0-dimensional float32 tensor holding {@code v} (broadcasts against anything). */
  public static Tensor scalar(double v) {
    return tensor(new float[] {(float) v});
  }

  /** A float32 tensor of {@code shape} on the current device filled with {@code value}. */
  public static Tensor full(double value, long... shape) {
    return onDevice(torch.full(shape, s(value), new TensorOptions(ScalarType.Float)));
  }

  /** A float32 tensor of zeros of {@code shape} on the current device. */
  public static Tensor zeros(long... shape) {
    return full(0, shape);
  }

  /**
   * A float32 tensor of standard-normal draws from libtorch's global generator, drawn on the CPU and
   * moved to the current device: the same seed gives the same draws on every device.
   */
  public static Tensor randn(long... shape) {
    return onDevice(torch.randn(shape));
  }

  /**
   * A float32 tensor of standard-normal draws from {@code generator} (a CPU generator, {@link
   * #cpuGenerator}), moved to the current device: PyTorch's {@code torch.randn(shape, generator=g)},
   * draw for draw.
   */
  public static Tensor randn(org.bytedeco.pytorch.Generator generator, long... shape) {
    Tensor t = torch.empty(shape);
    t.normal_(0, 1, new org.bytedeco.pytorch.GeneratorOptional(generator));
    return onDevice(t);
  }

  /**
   * An uninitialised tensor of {@code dtype} on the CPU, whatever the current device: storage for bytes
   * read from a file ({@link NativeWeights}).
   */
  public static Tensor cpuEmpty(ScalarType dtype, long... shape) {
    return torch.empty(shape, new org.bytedeco.pytorch.TensorOptions(dtype), new org.bytedeco.pytorch.MemoryFormatOptional());
  }

  /** Standard-normal float32 draws from {@code generator}, left on the CPU (the kernel self-checks' inputs). */
  public static Tensor cpuRandn(org.bytedeco.pytorch.Generator generator, long... shape) {
    Tensor t = torch.empty(shape);
    t.normal_(0, 1, new org.bytedeco.pytorch.GeneratorOptional(generator));
    return t;
  }

  /** A CPU random generator seeded with {@code seed}: PyTorch's {@code torch.Generator().manual_seed(seed)}. */
  public static org.bytedeco.pytorch.Generator cpuGenerator(long seed) {
    init();
    return torch.createCPUGenerator(seed);
  }

  /**
   * A float32 parameter of {@code shape} on the current device, initialised on the CPU by {@code init}
   * (which draws from libtorch's global generator, as PyTorch's module initialisers do) so that a seed
   * gives the same weights on every device.
   */
  public static Tensor initialised(java.util.function.Consumer<Tensor> init, long... shape) {
    Tensor t = torch.empty(shape);
    init.accept(t);
    return onDevice(t);
  }

  /** The values of an int64 tensor, in order. */
  public static long[] toLongs(Tensor t) {
    Tensor c = onCpu(t).contiguous();
    long[] out = new long[(int) c.numel()];
    try (org.bytedeco.javacpp.LongPointer p = new org.bytedeco.javacpp.LongPointer(c.data_ptr())) {
      p.get(out, 0, out.length);
    }
    return out;
  }

  /** A copy of the values of {@code t} (any float type, any device) as float32, in row-major order. */
  public static float[] toFloats(Tensor t) {
    Tensor f = onCpu(t.detach().to(ScalarType.Float)).contiguous();
    float[] out = new float[(int) f.numel()];
    try (FloatPointer p = new FloatPointer(f.data_ptr())) {
      p.get(out);
    }
    return out;
  }

  /** The tensors concatenated along {@code dim} (libtorch's cat takes a TensorVector). */
  public static Tensor cat(long dim, Tensor... parts) {
    return torch.cat(new org.bytedeco.pytorch.TensorVector(parts), dim);
  }

  /** The shape of {@code t}. */
  public static long[] shape(Tensor t) {
    return t.sizes().vec().get();
  }
}
