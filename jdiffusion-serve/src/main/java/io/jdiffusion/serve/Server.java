package io.jdiffusion.serve;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jdiffusion serve}: the models loaded once and kept warm, the JSON API ({@link ApiHandler})
 * and the web page ({@link StaticAssets}) on the JDK's own HTTP server.
 *
 * <pre>{@code
 * try (Server s = Server.start(ServeConfig.defaults(0, List.of("fashion-mnist"), "jdiffusion 0.1.0"))) {
 *   System.out.println("http://127.0.0.1:" + s.port() + "/");
 * }
 * }</pre>
 *
 * <p>Connections are served by a fixed pool of K + queue + {@link #EXTRA_HTTP_THREADS} threads (a
 * waiting synchronous request and a progress stream each hold one); the computing is done by the
 * {@link Scheduler}'s K workers.
 */
public final class Server implements AutoCloseable {
  /** HTTP threads beyond those that waiting requests can hold: progress streams, pages, health checks. */
  static final int EXTRA_HTTP_THREADS = 32;
  /** Seconds a client may take to send a request's headers and body (the JDK server's maxReqTime). */
  static final String MAX_REQUEST_SECONDS = "60";

  private final HttpServer http;
  private final ExecutorService httpThreads;
  private final Scheduler scheduler;
  private final ModelRegistry models;
  private final Disconnects disconnects;

  private Server(HttpServer http, ExecutorService httpThreads, Scheduler scheduler, ModelRegistry models,
      Disconnects disconnects) {
    this.http = http;
    this.httpThreads = httpThreads;
    this.scheduler = scheduler;
    this.models = models;
    this.disconnects = disconnects;
  }

  /**
   * Loads the models, then listens.
   *
   * @throws IllegalArgumentException for a model that cannot be loaded or an address that cannot be bound
   */
  public static Server start(ServeConfig config) {
    // a slow or stalled client cannot hold a connection while sending its request (responses, such as
    // progress streams, are not limited)
    System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime",
        MAX_REQUEST_SECONDS));
    ModelRegistry models = ModelRegistry.load(config.models(), config.previewDecoder());
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
    } catch (IOException e) {
      models.close();
      throw new IllegalArgumentException("cannot listen on " + config.host() + ":" + config.port() + " ("
          + e.getMessage() + ")");
    }
    Scheduler scheduler = new Scheduler(config);
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(config.maxConcurrent() + config.queue() + EXTRA_HTTP_THREADS,
        r -> {
          Thread t = new Thread(r, "jdiffusion-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    http.setExecutor(threads);
    Disconnects disconnects = new Disconnects();
    http.createContext("/api/", new ApiHandler(config, models, scheduler, disconnects));
    http.createContext("/", new StaticAssets());
    http.start();
    return new Server(http, threads, scheduler, models, disconnects);
  }

  /** The port listened on (the chosen one when the configuration said 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The scheduler, for tests that look at jobs a blocking request made. */
  Scheduler scheduler() {
    return scheduler;
  }

  /** Stops listening, cancels what is queued or running, and frees the models. */
  @Override
  public void close() {
    http.stop(0);
    disconnects.close();
    scheduler.close();
    httpThreads.shutdownNow();
    try {
      httpThreads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    models.close();
  }
}
