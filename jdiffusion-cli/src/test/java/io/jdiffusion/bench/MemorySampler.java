package io.jdiffusion.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;

/**
 * This process's memory every few seconds, to tell whether it stays flat under load and, if not,
 * which part grows: the resident set (VmRSS), the Java heap as the last garbage collection left it
 * (young collections included, from the collectors' notifications; no collection is forced while
 * sampling) and as committed, and JavaCPP's view of native memory
 * ({@link Pointer#physicalBytes()}, its own RSS reading; {@link Pointer#totalBytes()}, the bytes that
 * live JavaCPP pointers say they hold, which excludes libtorch's tensor storage (that shows only in
 * the RSS); {@link Pointer#totalCount()}, the native objects, tensors included, that Java wrappers
 * still own: it grows if tensors escape their scopes).
 */
final class MemorySampler implements AutoCloseable {
  /** One sample; sizes in bytes, time in seconds since the sampler started. */
  record Sample(double seconds, long rss, long heapAfterGc, long heapCommitted, long physicalBytes, long totalBytes,
      long totalCount) {
    String row() {
      return String.format(Locale.ROOT, "| %.0f | %d | %s | %d | %d | %.1f | %d |", seconds, rss >> 20,
          heapAfterGc < 0 ? "-" : Long.toString(heapAfterGc >> 20),
          heapCommitted >> 20, physicalBytes >> 20, totalBytes / 1048576.0, totalCount);
    }
  }

  static final String HEADER = "| s | VmRSS MiB | heap after GC MiB | heap committed MiB | Pointer.physicalBytes MiB"
      + " | Pointer.totalBytes MiB | Pointer.totalCount |\n|---|---|---|---|---|---|---|";

  private final long t0 = System.nanoTime();
  /** The whole heap's use when the newest collection ended, in bytes; -1 before the first. */
  private final java.util.concurrent.atomic.AtomicLong heapAfterGc = new java.util.concurrent.atomic.AtomicLong(-1);
  private final List<Runnable> unlisten = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "memory-sampler");
    t.setDaemon(true);
    return t;
  });

  /** Samples now and then every {@code seconds}. */
  MemorySampler(int seconds) {
    for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof javax.management.NotificationEmitter emitter) {
        javax.management.NotificationListener l = (n, handback) -> {
          if (n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
                .from((javax.management.openmbean.CompositeData) n.getUserData());
            heapAfterGc.set(info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                .filter(e -> isHeap(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum());
          }
        };
        emitter.addNotificationListener(l, null, null);
        unlisten.add(() -> {
          try {
            emitter.removeNotificationListener(l);
          } catch (javax.management.ListenerNotFoundException e) {
            // gone already
          }
        });
      }
    }
    timer.scheduleAtFixedRate(this::sample, 0, seconds, TimeUnit.SECONDS);
  }

  /** Takes a sample now (also after a forced collection, when the caller has made one). */
  synchronized Sample sample() {
    long committed = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        committed += pool.getUsage().getCommitted();
      }
    }
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, status("VmRSS") << 10, heapAfterGc.get(), committed,
        Pointer.physicalBytes(), Pointer.totalBytes(), Pointer.totalCount());
    samples.add(s);
    return s;
  }

  private static boolean isHeap(String pool) {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .anyMatch(p -> p.getName().equals(pool) && p.getType() == MemoryType.HEAP);
  }

  /** Every sample so far, oldest first. */
  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** A kB field of /proc/self/status (VmRSS, VmHWM), 0 where there is none. */
  static long status(String field) {
    Path p = Path.of("/proc/self/status");
    try {
      for (String line : Files.readAllLines(p)) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return 0;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    unlisten.forEach(Runnable::run);
  }
}
