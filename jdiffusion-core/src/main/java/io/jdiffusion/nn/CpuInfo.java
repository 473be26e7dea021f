package io.jdiffusion.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What this process runs on, read from {@code /proc/cpuinfo} (Linux); elsewhere the JVM's OS and
 * architecture names only. Kernel verdicts are cached per CPU, so two machines never share them.
 *
 * @param vendor e.g. AuthenticAMD, GenuineIntel
 * @param modelName e.g. "AMD EPYC"
 * @param family CPU family (26 = AMD Zen 5)
 * @param model model number within the family
 * @param flags the feature flags, space-separated
 * @param cores logical CPUs the JVM may use
 * @param physicalCores distinct (physical id, core id) pairs of cpuinfo, at most {@code cores}
 */
public record CpuInfo(String vendor, String modelName, String family, String model, String flags, int cores,
    int physicalCores) {

  /** This machine (read once per process). */
  public static CpuInfo current() {
    return Holder.CURRENT;
  }

  private static final class Holder {
    static final CpuInfo CURRENT = read();
  }

  private static CpuInfo read() {
    int cores = Runtime.getRuntime().availableProcessors();
    Path p = Path.of("/proc/cpuinfo");
    try {
      if (Files.isReadable(p)) {
        return parse(Files.readAllLines(p), cores);
      }
    } catch (IOException | RuntimeException e) {
      // fall through: an unreadable cpuinfo only costs a less specific cache key
    }
    return new CpuInfo("unknown", System.getProperty("os.name") + " " + System.getProperty("os.arch"), "?", "?", "",
        cores, cores);
  }

  /** Parses a /proc/cpuinfo text: identity and flags from the first processor block, cores from all. */
  static CpuInfo parse(List<String> lines, int cores) {
    String vendor = "unknown";
    String name = "unknown";
    String family = "?";
    String model = "?";
    String flags = "";
    boolean first = true;
    String physicalId = "0";
    java.util.Set<String> physical = new java.util.HashSet<>();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (line.isBlank() || colon < 0) {
        first = first && flags.isEmpty();
        continue;
      }
      String k = line.substring(0, colon).trim();
      String v = line.substring(colon + 1).trim();
      switch (k) {
        case "physical id" -> physicalId = v;
        case "core id" -> physical.add(physicalId + "/" + v);
        default -> { }
      }
      if (!first) {
        continue;
      }
      switch (k) {
        case "vendor_id" -> vendor = v;
        case "model name" -> name = v;
        case "cpu family" -> family = v;
        case "model" -> model = v;
        case "flags" -> flags = v;
        default -> { }
      }
    }
    int phys = physical.isEmpty() ? cores : Math.min(physical.size(), cores);
    return new CpuInfo(vendor, name, family, model, flags, cores, Math.max(1, phys));
  }

  /** Whether the CPU has a feature flag, e.g. "avx512_bf16". */
  public boolean has(String flag) {
    return (" " + flags + " ").contains(" " + flag + " ");
  }

  /** One line: model name, family/model and the flags that matter to libtorch's CPU kernels. */
  public String summary() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s (%s, family %s model %s), %d cores (%d physical)",
        modelName, vendor, family, model, cores, physicalCores));
    String notable = "";
    for (String f : new String[] {"avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile", "avx512_vp2intersect"}) {
      if (has(f)) {
        notable += (notable.isEmpty() ? "" : " ") + f;
      }
    }
    return notable.isEmpty() ? s.toString() : s + "; " + notable;
  }
}
