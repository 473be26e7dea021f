package io.jdiffusion.nn;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jdiffusion.store.AtomicFiles;
import io.jdiffusion.store.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernel computes what, on this CPU: every layer asks here before its first call at a shape.
 *
 * <p>The first time a (kernel, shape, precision, thread count) is seen, {@link KernelCheck} compares
 * libtorch's kernel with float64 on this machine. A convolution that fails takes the first
 * {@link ConvRoute} that passes its own check ({@link ConvRoute#PAD16}, then {@link ConvRoute#IM2COL});
 * every other shape keeps the fast path. GroupNorm, linear and attention have no second route: a
 * failure stops the run with one clear message ({@link KernelFailure}) instead of training on wrong
 * numbers. Verdicts are cached on disk per CPU and engine version ({@code kernel-checks/} under the
 * cache root), so a check runs once per machine and kernel configuration ({@link KernelSpec}: large
 * sizes are checked at a capped size).
 *
 * <p>With gradients enabled (training) a check covers the output and both gradients; with gradients
 * disabled (sampling, under {@code NoGradGuard} or {@code InferenceMode}) it covers the output alone,
 * a third of the work, and a verdict with gradients, where one exists, serves both.
 *
 * <p>The system property {@value #FORCE_PROPERTY} overrides the choice: {@code pad16} or
 * {@code im2col} sends every convolution whose input or output channels are not a multiple of 16 down that
 * route (still checked), so the routes are tested on CPUs whose fast path is right; {@code fast}
 * disables the checks and uses libtorch's kernels as they are (benchmarks, diagnosis).
 */
public final class Kernels {
  private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
  /** System property that forces a route: fast, pad16 or im2col. */
  public static final String FORCE_PROPERTY = "jdiffusion.kernels.force";
  /** System property naming the cache root (else $JDIFFUSION_CACHE, $XDG_CACHE_HOME/jdiffusion, ~/.cache/jdiffusion). */
  public static final String CACHE_PROPERTY = "jdiffusion.cache";

  /**
   * What was decided for one spec.
   *
   * @param spec the spec's key
   * @param description human-readable spec
   * @param threads libtorch intra-op threads during the check
   * @param gradients whether the gradients were checked too (else the output alone)
   * @param route the convolution route taken (FAST for the other kernels when they pass), or null when
   *     no route passed
   * @param checks every check that ran, in order (empty when checks are disabled)
   * @param millis how long the checks took
   */
  public record Verdict(String spec, String description, int threads, boolean gradients, ConvRoute route,
      List<KernelCheck.Result> checks, double millis) {
    public Verdict {
      checks = List.copyOf(checks);
    }

    /** True when some kernel passed and will be used. */
    public boolean usable() {
      return route != null;
    }
  }

  /** Thrown when no correct kernel exists on this CPU for something a model needs. */
  public static final class KernelFailure extends RuntimeException {
    public KernelFailure(String message) {
      super(message);
    }
  }

  /** In-memory key: cheap to build on every layer call. */
  private record Key(KernelSpec spec, int threads, ConvRoute forced, boolean gradients) {
    String disk() {
      return spec.key() + "@" + threads + (gradients ? "" : "/forward") + (forced != null ? "!" + forced : "");
    }

    Key withGradients() {
      return new Key(spec, threads, forced, true);
    }
  }

  private static final Map<Key, Verdict> VERDICTS = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();
  private static volatile ConvRoute forced = parseForce(System.getProperty(FORCE_PROPERTY));
  private static volatile Consumer<String> notice = LOG::info;
  private static volatile boolean announced;
  private static Map<String, Verdict> diskCache; // guarded by Kernels.class
  private static Path cacheFile; // guarded by Kernels.class

  private Kernels() {}

  /** A convolution, computed by the route this CPU's checks chose for its shape (see {@link Conv2d}). */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor b, long[] stride, long[] padding) {
    Precision p = precisionOf(x);
    if (p == null || forced == ConvRoute.FAST || !x.is_cpu()) { // the checks are of CPU kernels
      return ConvRoute.FAST.apply(x, w, b, stride, padding);
    }
    KernelSpec.Conv spec = new KernelSpec.Conv((int) w.size(1), (int) w.size(0), (int) w.size(2), (int) stride[0],
        (int) x.size(2), (int) x.size(3), p);
    Verdict v = require(spec);
    if (v.route() != ConvRoute.FAST && !announced) {
      announced = true;
      notice.accept(forced != null
          ? "note: " + FORCE_PROPERTY + "=" + forced.name().toLowerCase(Locale.ROOT) + ": convolutions with a partial "
              + "16-channel block are " + forced.description
          : "note: " + spec.describe() + " fails libtorch's fast kernel on this CPU; such convolutions are "
              + v.route().description + " (details: jdiffusion doctor)");
    }
    return v.route().apply(x, w, b, stride, padding);
  }

  /**
   * The verdict for {@code spec} at the current thread count, checking it first if needed.
   *
   * @throws KernelFailure when no kernel for it passes
   */
  public static Verdict require(KernelSpec spec) {
    if (forced == ConvRoute.FAST) {
      return new Verdict(spec.key(), spec.describe(), torch.get_num_threads(), GradMode.is_enabled(), ConvRoute.FAST,
          List.of(), 0);
    }
    Verdict v = verdict(spec);
    if (!v.usable()) {
      KernelCheck.Result r = v.checks().get(v.checks().size() - 1);
      throw new KernelFailure(String.format(Locale.ROOT,
          "%s: libtorch's kernel fails its self-check on this CPU (relative error: output %.2g, input gradient %.2g,"
              + " weight gradient %.2g; bound %.0e)%s",
          spec.describe(), r.output(), r.inputGrad(), r.weightGrad(), r.tolerance(),
          spec.precision() == Precision.BF16 ? "; bf16 cannot be used here, use --precision fp32" : ""));
    }
    return v;
  }

  /**
   * The verdict for {@code spec} at the current thread count (from memory, the disk cache, or a new
   * check), with gradients when libtorch's grad mode is on.
   */
  public static Verdict verdict(KernelSpec spec) {
    Key key = new Key(spec, torch.get_num_threads(), forced, GradMode.is_enabled());
    Verdict v = VERDICTS.get(key);
    if (v == null && !key.gradients()) {
      v = VERDICTS.get(key.withGradients());
    }
    if (v != null) {
      return v;
    }
    synchronized (Kernels.class) {
      v = VERDICTS.get(key);
      if (v == null) {
        Map<String, Verdict> disk = loadCache();
        v = disk.get(key.disk());
        if (v == null && !key.gradients()) {
          v = disk.get(key.withGradients().disk());
        }
        if (v == null) {
          v = check(spec, key.threads(), key.gradients());
          diskCache.put(key.disk(), v);
          saveCache();
        }
        VERDICTS.put(key, v);
      }
      return v;
    }
  }

  /** Runs the checks for {@code spec}, trying the routes in order for a convolution. */
  static Verdict check(KernelSpec spec, int threads, boolean gradients) {
    long t0 = System.nanoTime();
    List<KernelCheck.Result> checks = new ArrayList<>();
    ConvRoute chosen = null;
    if (spec instanceof KernelSpec.Conv c) {
      List<ConvRoute> order = new ArrayList<>();
      if (forced != null && ConvRoute.partialBlock(c.in(), c.out())) {
        order.add(forced);
      } else {
        order.add(ConvRoute.FAST);
        if (ConvRoute.partialBlock(c.in(), c.out())) {
          order.add(ConvRoute.PAD16);
        }
        order.add(ConvRoute.IM2COL);
      }
      for (int i = 0; i < order.size() && chosen == null; i++) {
        ConvRoute r = order.get(i);
        checks.add(KernelCheck.conv(c, r.name(), r::apply, gradients));
        chosen = checks.get(checks.size() - 1).passed() ? r : null;
      }
    } else {
      KernelCheck.Result res = spec instanceof KernelSpec.GroupNormSpec g ? KernelCheck.groupNorm(g, gradients)
          : spec instanceof KernelSpec.LinearSpec l ? KernelCheck.linear(l, gradients)
          : KernelCheck.attention((KernelSpec.AttentionSpec) spec, gradients);
      checks.add(res);
      chosen = res.passed() ? ConvRoute.FAST : null; // no second route for these kernels
    }
    return new Verdict(spec.key(), spec.describe(), threads, gradients, chosen, checks, (System.nanoTime() - t0) / 1e6);
  }

  /** Sets the verdict for {@code spec} at the current thread count in memory, both kinds (tests: a kernel that fails). */
  static void remember(KernelSpec spec, Verdict v) {
    VERDICTS.put(new Key(spec, torch.get_num_threads(), forced, true), v);
    VERDICTS.put(new Key(spec, torch.get_num_threads(), forced, false), v);
  }

  /** The convolutions this process sends down a route other than the fast path, with their route. */
  public static Map<KernelSpec.Conv, ConvRoute> routedConvolutions() {
    Map<KernelSpec.Conv, ConvRoute> out = new java.util.LinkedHashMap<>();
    VERDICTS.forEach((k, v) -> {
      if (k.spec() instanceof KernelSpec.Conv c && v.usable() && v.route() != ConvRoute.FAST) {
        out.put(c, v.route());
      }
    });
    return out;
  }

  /** Every verdict this process has used, sorted by spec. */
  public static Collection<Verdict> verdicts() {
    Map<String, Verdict> sorted = new TreeMap<>();
    VERDICTS.forEach((k, v) -> sorted.put(k.disk(), v));
    return sorted.values();
  }

  /**
   * Forces a route (null: choose by checks, the default); forgets the verdicts in memory. For tests,
   * benchmarks and {@code doctor}; the system property {@value #FORCE_PROPERTY} sets it at start-up.
   */
  public static synchronized void force(ConvRoute route) {
    forced = route;
    VERDICTS.clear();
    announced = false;
  }

  /** The forced route, or null. */
  public static ConvRoute forced() {
    return forced;
  }

  /** Forgets every verdict, in memory and (when {@code disk}) in this machine's cache file. */
  public static synchronized void forget(boolean disk) {
    VERDICTS.clear();
    announced = false;
    if (disk) {
      loadCache().clear();
      saveCache();
    }
  }

  /** Where the one-line route notice goes (default: standard error). */
  public static void onNotice(Consumer<String> sink) {
    notice = sink;
  }

  /** "fast", "pad16", "im2col" -> route; null or blank -> null. */
  public static ConvRoute parseForce(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    for (ConvRoute r : ConvRoute.values()) {
      if (r.name().equalsIgnoreCase(s.trim())) {
        return r;
      }
    }
    throw new IllegalArgumentException(FORCE_PROPERTY + " must be fast, pad16 or im2col, got '" + s + "'");
  }

  /**
   * The engine's identity: libtorch and JavaCPP preset versions. The presets' version comes from their
   * own Maven descriptor ({@code META-INF/maven/org.bytedeco/pytorch/pom.properties}), which a shaded
   * jar keeps, where the package's Implementation-Version would be the enclosing jar's manifest (the
   * project's own version in the runnable jar).
   */
  public static String engine() {
    String presets = presetsVersion(); // e.g. 2.10.0-1.5.13
    String libtorch = presets == null ? "?" : presets.substring(0, Math.max(0, presets.indexOf('-')));
    return "libtorch " + libtorch + " (org.bytedeco:pytorch " + (presets == null ? "?" : presets)
        + ", oneDNN " + (org.bytedeco.pytorch.Context.hasMKLDNN() ? "built in" : "absent") + "); checks v"
        + KernelCheck.VERSION;
  }

  /** The version of org.bytedeco:pytorch on the class path, or null when its descriptor is missing. */
  static String presetsVersion() {
    try (java.io.InputStream in = torch.class.getResourceAsStream("/META-INF/maven/org.bytedeco/pytorch/pom.properties")) {
      if (in != null) {
        java.util.Properties p = new java.util.Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && v.indexOf('-') > 0) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through to the manifest
    }
    String v = torch.class.getPackage().getImplementationVersion();
    return v != null && v.indexOf('-') > 0 ? v : null;
  }

  /** The cache file of this CPU and engine. */
  public static synchronized Path cacheFile() {
    if (cacheFile == null) {
      CpuInfo cpu = CpuInfo.current();
      String id = cpu.vendor() + "|" + cpu.modelName() + "|" + cpu.family() + "|" + cpu.model() + "|" + cpu.flags()
          + "|" + engine();
      String hash = Sha256.hex(id.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
      cacheFile = cacheRoot().resolve("kernel-checks").resolve(hash + ".json");
    }
    return cacheFile;
  }

  /** The cache root: property {@value #CACHE_PROPERTY}, $JDIFFUSION_CACHE, $XDG_CACHE_HOME/jdiffusion, ~/.cache/jdiffusion. */
  static Path cacheRoot() {
    String p = System.getProperty(CACHE_PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv("JDIFFUSION_CACHE");
    }
    if (p != null && !p.isBlank()) {
      return Path.of(p);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "jdiffusion");
    }
    return Path.of(System.getProperty("user.home", "."), ".cache", "jdiffusion");
  }

  /** The cache file's content: the CPU and engine it belongs to, and verdicts by key. */
  record CacheFile(String cpu, String engine, Map<String, Verdict> verdicts) {}

  private static Map<String, Verdict> loadCache() {
    if (diskCache == null) {
      diskCache = new TreeMap<>();
      Path f = cacheFile();
      if (Files.isRegularFile(f)) {
        try {
          CacheFile c = JSON.readValue(f.toFile(), CacheFile.class);
          if (c.verdicts() != null && engine().equals(c.engine())) {
            diskCache.putAll(c.verdicts());
          }
        } catch (IOException | RuntimeException e) {
          // an unreadable cache is rebuilt by checking again
        }
      }
    }
    return diskCache;
  }

  private static void saveCache() {
    try {
      byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
          new CacheFile(CpuInfo.current().summary(), engine(), diskCache));
      AtomicFiles.write(cacheFile(), java.nio.ByteBuffer.wrap(json));
    } catch (IOException | RuntimeException e) {
      // a read-only cache only costs checking again next time
    }
  }

  private static Precision precisionOf(Tensor x) {
    // compare by value: JavaCPP returns a fresh enum instance from scalar_type(), never == the constant
    int t = x.scalar_type().value;
    if (t == ScalarType.Float.value) {
      return Precision.FP32;
    }
    return t == ScalarType.BFloat16.value ? Precision.BF16 : null;
  }
}
