package io.jdiffusion.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/}:
 *
 * <pre>
 * GET    /api/health                    status, running and waiting requests
 * GET    /api/models                    served models: size, classes, samplers and defaults; limits
 * POST   /api/OP[?format=png]           OP = generate | inpaint | img2img | interpolate: waits, returns the result
 *                                       (cancelled when its client closes the connection: {@link Disconnects})
 * POST   /api/jobs/OP                   queues OP, returns 202 {"id", "events", "result"} at once
 * GET    /api/jobs/ID                   the job's state and progress
 * GET    /api/jobs/ID/events            its progress as server-sent events ({@link EventStream})
 * GET    /api/jobs/ID/result[?format=png]  its result (409 while it runs)
 * DELETE /api/jobs/ID                   cancels it
 * </pre>
 *
 * Results are JSON (provenance and base64 PNGs) or, with {@code format=png}, one PNG (the grid of
 * {@code sample -o}, or the image alone when there is one) with provenance as tEXt chunks. Every
 * failure is a JSON {@code {"error": "..."}} with a 4xx status for what the request got wrong, 429
 * when the queue is full, 503 for timeouts, 500 for the server's own faults.
 */
final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private final ServeConfig config;
  private final ModelRegistry models;
  private final Scheduler scheduler;
  private final Disconnects disconnects;

  /**
   * @param disconnects tells when the client of a waiting blocking request has gone, which cancels it
   */
  ApiHandler(ServeConfig config, ModelRegistry models, Scheduler scheduler, Disconnects disconnects) {
    this.config = config;
    this.models = models;
    this.scheduler = scheduler;
    this.disconnects = disconnects;
  }

  /** Progress streams open now: each holds an HTTP thread, so they are bounded. */
  private final java.util.concurrent.atomic.AtomicInteger openStreams = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        route(ex);
      } catch (ApiError e) {
        Http.error(ex, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Http.error(ex, new ApiError(503, "the server is shutting down"));
      } catch (RuntimeException e) {
        LOG.error("error: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + ": " + e);
        Http.error(ex, new ApiError(500, "internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage()));
      } catch (OutOfMemoryError e) { // one request too large for the heap: it fails, the server stays up
        Http.error(ex, new ApiError(503, "out of memory for this request (" + e.getMessage() + "); ask for less, or "
            + "start the server with a larger heap (-Xmx, JDIFFUSION_JAVA_OPTS)"));
      }
    } catch (IOException e) {
      // the client went away before the response was written
    }
  }

  private void route(HttpExchange ex) throws IOException, InterruptedException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    Http.checkOrigin(ex, config.host());
    String[] p = path.substring("/api/".length()).split("/", -1);
    if (p.length == 1 && p[0].equals("health")) {
      allow(method, "GET");
      Http.json(ex, 200, health());
    } else if (p.length == 1 && p[0].equals("models")) {
      allow(method, "GET");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("models", models.all().stream().map(ServedModel::describe).toList());
      m.put("limits", limits());
      Http.json(ex, 200, m);
    } else if (p.length == 1 && Requests.OPS.contains(p[0])) {
      allow(method, "POST");
      String format = format(ex);
      Job job = submit(ex, p[0]);
      Job.Snapshot s;
      try (Disconnects.Watch watch = disconnects.watch(ex.getLocalAddress().getPort(), ex.getRemoteAddress().getPort(),
          () -> scheduler.cancel(job, new ApiError(409, "cancelled: the client closed its connection")))) {
        s = job.awaitFinished();
      } catch (InterruptedException e) {
        scheduler.cancel(job, new ApiError(503, "the server is shutting down"));
        throw e;
      }
      respond(ex, job, s, format);
    } else if (p.length == 2 && p[0].equals("jobs") && Requests.OPS.contains(p[1])) {
      allow(method, "POST");
      Job job = submit(ex, p[1]);
      Map<String, Object> m = new LinkedHashMap<>(job.status());
      m.put("events", "/api/jobs/" + job.id + "/events");
      m.put("result", "/api/jobs/" + job.id + "/result");
      Http.json(ex, 202, m);
    } else if (p.length == 2 && p[0].equals("jobs") && method.equals("POST")) {
      throw ApiError.notFound("unknown operation '" + p[1] + "' (operations: " + String.join(", ", Requests.OPS) + ")");
    } else if (p.length == 2 && p[0].equals("jobs")) {
      Job job = job(p[1]);
      if (method.equals("DELETE")) {
        if (!scheduler.cancel(job, new ApiError(409, "cancelled by a client"))) {
          throw new ApiError(409, "job " + job.id + " has finished already (" + job.snapshot().state().lower() + ")");
        }
        Http.json(ex, 200, job.status());
      } else {
        allow(method, "GET", "DELETE");
        Http.json(ex, 200, job.status());
      }
    } else if (p.length == 3 && p[0].equals("jobs") && p[2].equals("events")) {
      allow(method, "GET");
      Job job = job(p[1]);
      if (openStreams.incrementAndGet() > config.maxConcurrent() + config.queue()) {
        openStreams.decrementAndGet();
        throw new ApiError(429, "too many progress streams are open (" + (config.maxConcurrent() + config.queue())
            + ", one per running or queued job); poll GET /api/jobs/ID instead", 1);
      }
      try {
        EventStream.stream(ex, job);
      } finally {
        openStreams.decrementAndGet();
      }
    } else if (p.length == 3 && p[0].equals("jobs") && p[2].equals("result")) {
      allow(method, "GET");
      String format = format(ex);
      Job job = job(p[1]);
      Job.Snapshot s = job.snapshot();
      if (!s.state().finished()) {
        throw new ApiError(409, "job " + job.id + " is " + s.state().lower() + " (" + s.done() + " of " + s.total()
            + " steps); wait for its events' end, or poll");
      }
      respond(ex, job, s, format);
    } else {
      throw ApiError.notFound("no such endpoint: " + method + " " + path + " (see GET /api/models, POST /api/generate)");
    }
  }

  private Job submit(HttpExchange ex, String op) throws IOException {
    scheduler.checkRoom(); // before the body is read and its images decoded
    byte[] body = Http.body(ex, config.maxBodyBytes());
    String preview = Http.query(ex, "preview");
    int every = 0;
    if (preview != null) {
      try {
        every = Integer.parseInt(preview);
      } catch (NumberFormatException e) {
        every = -1;
      }
      if (every < 0 || every > config.maxSteps()) {
        throw ApiError.badRequest("preview must be a step interval between 0 (none) and " + config.maxSteps() + ", got "
            + preview);
      }
    }
    Task task = Requests.parse(op, body, models, config);
    task.checkPreviews(every);
    return scheduler.submit(task, every);
  }

  private void respond(HttpExchange ex, Job job, Job.Snapshot s, String format) throws IOException {
    if (s.state() != Job.State.DONE) {
      throw s.error();
    }
    ex.getResponseHeaders().set("X-Job-Id", job.id);
    if (format.equals("png")) {
      Http.bytes(ex, 200, "image/png", s.result().gridPng());
    } else {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", job.id);
      m.putAll(s.result().json());
      Http.json(ex, 200, m);
    }
  }

  private Job job(String id) {
    return scheduler.job(id).orElseThrow(() -> ApiError.notFound("no job " + id + " (finished jobs are kept for the last "
        + Scheduler.RETAINED + ")"));
  }

  private static String format(HttpExchange ex) {
    String f = Http.query(ex, "format");
    if (f == null) {
      String accept = ex.getRequestHeaders().getFirst("Accept");
      return accept != null && accept.contains("image/png") && !accept.contains("json") ? "png" : "json";
    }
    if (!f.equals("png") && !f.equals("json")) {
      throw ApiError.badRequest("format must be png or json, got '" + f + "'");
    }
    return f;
  }

  private static void allow(String method, String... allowed) {
    if (!List.of(allowed).contains(method)) {
      throw new ApiError(405, method + " is not allowed here; use " + String.join(" or ", allowed));
    }
  }

  private Map<String, Object> health() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "ok");
    m.put("version", config.version());
    m.put("models", models.all().stream().map(ServedModel::name).toList());
    m.put("running", scheduler.running());
    m.put("waiting", scheduler.waiting());
    m.put("maxConcurrent", config.maxConcurrent());
    m.put("queue", config.queue());
    m.put("threadsPerRequest", config.workerThreads());
    return m;
  }

  private Map<String, Object> limits() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("maxImages", config.maxImages());
    m.put("maxSteps", config.maxSteps());
    m.put("maxImagePixels", config.maxImagePixels());
    m.put("maxBodyBytes", config.maxBodyBytes());
    m.put("timeoutSeconds", config.timeoutSeconds());
    return m;
  }
}
