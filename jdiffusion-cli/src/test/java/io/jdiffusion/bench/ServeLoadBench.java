package io.jdiffusion.bench;

import io.jdiffusion.pipeline.Generate;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.serve.ServeConfig;
import io.jdiffusion.serve.Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load test of {@code jdiffusion serve} on loopback: C clients send {@code POST /api/generate} (n images,
 * DDIM, S steps, the quick-start model fashion-mnist) back to back for {@link #WARMUP_SECONDS} and then
 * D measured seconds (requests that end in them, and the drain after them) against an in-process
 * server with K workers and a queue of Q. A client that gets 429 behaves as a polite real one: it waits
 * the answer's Retry-After (the server's estimate of when a place frees), times a random factor in
 * [0.5, 1.5) so that refused clients do not come back together; without the header it backs off
 * exponentially with full jitter. The same work through the library directly for comparison: K callers
 * with the server's threads each, before and after the served run (the machine's load may change), and
 * one caller with every core. Besides images per second, images per second of this process's CPU time:
 * the server's cost per image against the library's, whatever other processes take of the machine;
 * and that without the CPU time of the in-process clients' threads (real clients run elsewhere).
 * Prints a Markdown table, and the memory samples ({@link MemorySampler}, every {@link
 * #SAMPLE_SECONDS} s from the start of the load) of the loaded run.
 *
 * <pre>java -cp ... io.jdiffusion.bench.ServeLoadBench [CLIENTS=32] [SECONDS=120] [K=2] [QUEUE=16] [N=4] [STEPS=20]</pre>
 *
 * Latencies are of served requests (200) only, queueing included. Peak RSS is the whole process's
 * (server, clients and the library run), from /proc/self/status VmHWM; the RSS after the warm-up and
 * at the end of the loaded run show whether memory stays flat over it. It stops by itself.
 */
public final class ServeLoadBench {
  /** Seconds of load before the measured window: the served requests' code paths compiled, the allocator settled. */
  static final int WARMUP_SECONDS = 15;
  /** Seconds between memory samples. */
  static final int SAMPLE_SECONDS = 10;
  /** First wait of the exponential backoff when a 429 has no Retry-After; it doubles up to {@link #MAX_BACKOFF_MILLIS}. */
  static final long BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 4000;

  private ServeLoadBench() {}

  public static void main(String[] args) throws Exception {
    int clients = arg(args, 0, 32);
    int seconds = arg(args, 1, 120);
    int k = arg(args, 2, 2);
    int queue = arg(args, 3, 16);
    int n = arg(args, 4, 4);
    int steps = arg(args, 5, 20);
    ServeConfig config = ServeConfig.defaults(0, List.of("fashion-mnist"), "jdiffusion bench")
        .withConcurrency(k, queue);
    try (Server server = Server.start(config)) {
      AtomicLong clientThreads = new AtomicLong();
      HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(4,
          r -> new Thread(r, "bench-http-" + clientThreads.incrementAndGet()))).build();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/generate");
      post(http, uri, n, steps, 0); // warm-up: kernel checks, first allocations
      int libSeconds = Math.max(10, seconds / 4);
      Rate libraryBefore = library(n, steps, libSeconds, k, config.workerThreads());
      MemorySampler memory = new MemorySampler(SAMPLE_SECONDS);
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      AtomicLong refused = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      AtomicLong seeds = new AtomicLong();
      AtomicLong clientsCpu = new AtomicLong(); // nanoseconds of CPU the client threads used
      long t0 = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L; // the measured window's start
      long end = t0 + seconds * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Thread t = new Thread(() -> {
          int refusals = 0; // in a row
          while (System.nanoTime() < end) {
            long s = System.nanoTime();
            HttpResponse<Void> r;
            try {
              r = post(http, uri, n, steps, seeds.getAndAdd(n));
            } catch (IOException | InterruptedException e) {
              r = null;
            }
            int status = r == null ? -1 : r.statusCode();
            boolean measured = System.nanoTime() >= t0;
            if (status == 200) {
              if (measured) {
                latencies.add(System.nanoTime() - s);
              }
              refusals = 0;
            } else if (status == 429) {
              if (measured) {
                refused.incrementAndGet();
              }
              sleep(Math.min((end - System.nanoTime()) / 1_000_000, backoff(r, refusals++)));
            } else {
              errors.incrementAndGet(); // warm-up included
            }
          }
          clientsCpu.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
        }, "bench-client-" + c);
        t.start();
        threads.add(t);
      }
      sleep((t0 - System.nanoTime()) / 1_000_000); // the warm-up under load: JIT, allocator, GC settle
      long cpu0 = cpuNanos();
      long clientsCpu0 = threadsCpu("bench-client-", "bench-http-", "HttpClient-");
      java.util.Map<String, Long> groups0 = cpuByGroup();
      long rssStart = MemorySampler.status("VmRSS");
      for (Thread t : threads) {
        t.join();
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;
      double serverCpu = cpu - (clientsCpu.get() + threadsCpu("bench-http-", "HttpClient-") - clientsCpu0) / 1e9;
      java.util.Map<String, Long> groups = cpuByGroup();
      groups0.forEach((g, v) -> groups.merge(g, -v, Long::sum));
      long rssEnd = MemorySampler.status("VmRSS");
      memory.sample(); // at the end of the load
      System.gc();
      sleep(500); // the collectors' notifications arrive on another thread
      memory.sample(); // and after a full collection
      memory.close();
      List<MemorySampler.Sample> series = memory.samples();
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      Rate served = new Rate(sorted.size() * (double) n / wall, sorted.size() * (double) n / cpu);
      int cores = io.jdiffusion.nn.CpuInfo.current().physicalCores();
      Rate libraryAfter = library(n, steps, libSeconds, k, config.workerThreads());
      Rate libraryAll = library(n, steps, libSeconds, 1, cores);
      System.out.printf(Locale.ROOT, "| clients | seconds | K | queue | threads/request | n x steps | served | p50 s |"
          + " p95 s | p99 s | 429s | errors | RSS after warm-up / end / peak MiB | images/s served | library, 1 caller x"
          + " %d threads | library, %d callers x %d threads (before / after the served run) |%n", cores, k,
          config.workerThreads());
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      System.out.printf(Locale.ROOT, "| %d | %.0f | %d | %d | %d | %d x %d | %d | %.2f | %.2f | %.2f | %d | %d |"
          + " %d / %d / %d | %.2f | %.2f | %.2f / %.2f |%n", clients, wall, k, queue, config.workerThreads(), n, steps, sorted.size(),
          pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), refused.get(), errors.get(), rssStart >> 10, rssEnd >> 10,
          MemorySampler.status("VmHWM") >> 10, served.perSecond(), libraryAll.perSecond(), libraryBefore.perSecond(),
          libraryAfter.perSecond());
      System.out.printf(Locale.ROOT, "%nserved / library with %d callers x %d threads, images/s: %.0f%% (of the mean of"
          + " before and after, %.2f)%nimages per CPU-second of this process (clients included while serving): served"
          + " %.2f, library %.2f before / %.2f after: %.0f%%%n", k, config.workerThreads(),
          100 * served.perSecond() / mean(libraryBefore.perSecond(), libraryAfter.perSecond()),
          mean(libraryBefore.perSecond(), libraryAfter.perSecond()), served.perCpuSecond(), libraryBefore.perCpuSecond(),
          libraryAfter.perCpuSecond(),
          100 * served.perCpuSecond() / mean(libraryBefore.perCpuSecond(), libraryAfter.perCpuSecond()));
      double perServerCpu = sorted.size() * (double) n / serverCpu;
      System.out.printf(Locale.ROOT, "the same without the CPU of the client threads (%.0f of %.0f CPU-seconds): served %.2f:"
          + " %.0f%%%n", cpu - serverCpu, cpu, perServerCpu,
          100 * perServerCpu / mean(libraryBefore.perCpuSecond(), libraryAfter.perCpuSecond()));
      StringBuilder by = new StringBuilder();
      long javaThreads = 0;
      for (java.util.Map.Entry<String, Long> e : new java.util.TreeMap<>(groups).entrySet()) {
        if (!e.getKey().startsWith("bench-client")) { // exited: counted above
          by.append(String.format(Locale.ROOT, "%s %.1f, ", e.getKey(), e.getValue() / 1e9));
          javaThreads += e.getValue();
        }
      }
      System.out.printf(Locale.ROOT, "CPU-seconds in the measured window by thread: %sclient threads %.1f; the rest"
          + " (GC, JIT and other VM threads) %.1f%n", by, (clientsCpu.get() - groups0.getOrDefault("bench-client", 0L)) / 1e9,
          cpu - javaThreads / 1e9 - (clientsCpu.get() - groups0.getOrDefault("bench-client", 0L)) / 1e9);
      System.out.printf(Locale.ROOT, "%nmemory during the loaded run (start, middle, end of load, end after System.gc()):"
          + "%n%s%n", MemorySampler.HEADER);
      int last = series.size() - 1;
      for (int i : new int[] {0, (last - 1) / 2, last - 1, last}) {
        System.out.println(series.get(i).row());
      }
      System.out.println("\nevery sample:");
      series.forEach(x -> System.out.println(x.row()));
    }
    System.exit(0);
  }

  /**
   * The library's images/s for the same requests, for about {@code seconds}: {@code callers} threads
   * calling {@link Generate#images} one request after another, each with {@code threads} libtorch
   * threads (1 caller with every core; or the server's arrangement, K callers with cores / K each).
   */
  private static Rate library(int n, int steps, int seconds, int callers, int threads) throws InterruptedException {
    TrainedModel m = TrainedModel.resolve("fashion-mnist", true);
    try {
      SampleOptions o = SampleOptions.defaultsFor(Samplers.DDIM, m.schedule()).toBuilder().steps(steps).batch(n).build();
      AtomicLong images = new AtomicLong();
      long[] span = new long[2];
      List<Thread> all = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        Thread t = new Thread(() -> {
          // as the server's workers do: asking first runs libtorch's once-per-thread lazy initialisation,
          // which would otherwise reset the count at the first operation
          org.bytedeco.pytorch.global.torch.get_num_threads();
          org.bytedeco.pytorch.global.torch.set_num_threads(threads);
          Generate.images(m, n, null, o, null); // warm-up at this thread count
          synchronized (span) {
            if (span[0] == 0) {
              span[0] = System.nanoTime();
              span[1] = cpuNanos();
            }
          }
          long end = System.nanoTime() + seconds * 1_000_000_000L;
          while (System.nanoTime() < end) {
            Generate.images(m, n, null, o.withSeed(images.getAndAdd(n)), null);
          }
        });
        t.start();
        all.add(t);
      }
      for (Thread t : all) {
        t.join();
      }
      return new Rate(images.get() / ((System.nanoTime() - span[0]) / 1e9), images.get() / ((cpuNanos() - span[1]) / 1e9));
    } finally {
      m.net().close();
    }
  }

  /** Images per second of wall-clock time, and per second of this process's CPU time (all its threads). */
  record Rate(double perSecond, double perCpuSecond) {}

  /** The CPU time of the live Java threads by name without its number ("jdiffusion-worker"), in nanoseconds. */
  private static java.util.Map<String, Long> cpuByGroup() {
    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    for (java.lang.management.ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
      if (info != null) {
        out.merge(info.getThreadName().replaceAll("-?\\d+$", ""), Math.max(0, bean.getThreadCpuTime(info.getThreadId())),
            Long::sum);
      }
    }
    return out;
  }

  /** The CPU time of the live threads whose names start with one of {@code prefixes}, in nanoseconds. */
  private static long threadsCpu(String... prefixes) {
    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (java.lang.management.ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
      if (info != null && java.util.Arrays.stream(prefixes).anyMatch(info.getThreadName()::startsWith)) {
        sum += Math.max(0, bean.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  /** The CPU time this process has used, all threads. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double mean(double a, double b) {
    return (a + b) / 2;
  }

  /** The status and headers of one request (its result is read and dropped). */
  private static HttpResponse<Void> post(HttpClient http, URI uri, int n, int steps, long seed)
      throws IOException, InterruptedException {
    String body = "{\"n\": " + n + ", \"steps\": " + steps + ", \"seed\": " + seed + "}";
    return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
  }

  /**
   * Milliseconds to wait after a 429: its Retry-After times a random factor in [0.5, 1.5); without the
   * header, exponential backoff with full jitter (a random wait up to 100 ms x 2^refusals, at most 4 s).
   */
  static long backoff(HttpResponse<?> refusal, int refusals) {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    java.util.Optional<String> retryAfter = refusal.headers().firstValue("Retry-After");
    if (retryAfter.isPresent()) {
      return (long) (Long.parseLong(retryAfter.get().strip()) * 1000 * (0.5 + random.nextDouble()));
    }
    return (long) (random.nextDouble() * Math.min(MAX_BACKOFF_MILLIS, BACKOFF_MILLIS << Math.min(refusals, 20)));
  }

  private static double pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e9;
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }
}
