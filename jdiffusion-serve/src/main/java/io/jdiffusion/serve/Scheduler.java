package io.jdiffusion.serve;

import io.jdiffusion.util.Progress;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on K worker threads with a bounded queue in front: a task that finds K running and the
 * queue full is refused (429) at once rather than waiting without bound.
 *
 * <p>Threads: libtorch's intra-op thread count is a per-thread setting of its OpenMP pool, so each
 * worker sets its own ({@link ServeConfig#workerThreads}, cores / K by default) when it starts: K
 * concurrent requests together use each core once instead of K x cores threads fighting for them.
 *
 * <p>Every task has a deadline (queue wait included); past it, it is cancelled at its next step and
 * its result requests get 503. Finished jobs are kept for {@link #RETAINED} more jobs, so that a
 * client can fetch a result after its progress stream ended.
 */
final class Scheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  /** Finished jobs kept for their result and status. */
  static final int RETAINED = 256;

  private final ServeConfig config;
  private final ThreadPoolExecutor pool;
  private final ScheduledExecutorService timer;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final Map<String, Runnable> queued = new ConcurrentHashMap<>();
  private final ConcurrentLinkedDeque<String> finished = new ConcurrentLinkedDeque<>();
  private final AtomicInteger running = new AtomicInteger();
  private final RetryAfter retryAfter;

  Scheduler(ServeConfig config) {
    this.config = config;
    this.retryAfter = new RetryAfter(config.maxConcurrent());
    int threads = config.workerThreads();
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(config.maxConcurrent(), config.maxConcurrent(), 0, TimeUnit.SECONDS,
        config.queue() == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue()),
        r -> daemon(() -> {
          // this worker's OpenMP team size; asking first runs libtorch's once-per-thread lazy initialisation,
          // which would otherwise reset the count to the process-wide last setting at the first operation
          torch.get_num_threads();
          torch.set_num_threads(threads);
          r.run();
        }, "jdiffusion-worker-" + n.incrementAndGet()),
        new ThreadPoolExecutor.AbortPolicy());
    ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "jdiffusion-timeouts"));
    timeouts.setRemoveOnCancelPolicy(true); // a finished job's timeout leaves the timer's queue at once
    this.timer = timeouts;
  }

  /**
   * Queues a task.
   *
   * @param previewEvery x0 previews every this many steps (0 for none)
   * @throws ApiError 429 when K tasks run and the queue is full, with a {@link RetryAfter} estimate
   */
  Job submit(Task task, int previewEvery) {
    Job job = new Job(UUID.randomUUID().toString(), task, previewEvery);
    Runnable work = () -> run(job);
    jobs.put(job.id, job);
    queued.put(job.id, work);
    job.deadline = timer.schedule(() -> cancel(job, new ApiError(503, "timed out after " + config.timeoutSeconds()
        + " s (the server's limit per request, waiting included); ask for less work")), config.timeoutSeconds(),
        TimeUnit.SECONDS);
    try {
      pool.execute(work);
    } catch (RejectedExecutionException e) {
      job.deadline.cancel(false);
      jobs.remove(job.id);
      queued.remove(job.id);
      if (pool.isShutdown()) {
        throw new ApiError(503, "the server is shutting down");
      }
      throw busy();
    }
    return job;
  }

  /**
   * Refuses at once, as {@link #submit} would, when K tasks run and the queue is full: called before a
   * request's body is parsed, so that a busy server does not decode uploads it will refuse (a task can
   * still be refused by submit when others took the last places meanwhile).
   */
  void checkRoom() {
    if (pool.getQueue().remainingCapacity() == 0 && pool.getActiveCount() >= config.maxConcurrent()) {
      throw busy();
    }
  }

  /** The 429 of a full server, with its {@link RetryAfter} estimate. */
  private ApiError busy() {
    int wait = retryAfter.seconds();
    return new ApiError(429, "the server is busy: " + config.maxConcurrent() + " requests are running and "
        + config.queue() + " waiting, the most it queues; try again in " + wait + " s", wait);
  }

  /** The job with this id (running, queued or recently finished). */
  Optional<Job> job(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  /**
   * Cancels a job; a queued one also leaves the queue at once.
   *
   * @return false when it had finished already
   */
  boolean cancel(Job job, ApiError reason) {
    boolean cancelled = job.cancel(reason);
    Runnable work = queued.remove(job.id);
    if (work != null && pool.remove(work)) { // else a worker took it meanwhile and sees the cancellation at start
      retire(job);
    }
    return cancelled;
  }

  /** Every job still known: queued, running or among the last {@link #RETAINED} finished. */
  java.util.List<Job> jobs() {
    return java.util.List.copyOf(jobs.values());
  }

  /** Tasks computing now. */
  int running() {
    return running.get();
  }

  /** Tasks waiting for a worker. */
  int waiting() {
    return pool.getQueue().size();
  }

  private void run(Job job) {
    queued.remove(job.id);
    if (!job.start()) {
      retire(job);
      return;
    }
    running.incrementAndGet();
    long started = System.nanoTime();
    try {
      Progress progress = Progress.listening(job.task.units(), job::progress);
      Previews previews = job.previewEvery > 0 ? new Previews(job.previewEvery, job::preview) : Previews.NONE;
      job.succeed(job.task.run(progress, previews));
      retryAfter.finished((System.nanoTime() - started) / 1e9);
    } catch (Job.Cancelled e) {
      job.stopped();
    } catch (ApiError e) {
      job.fail(e);
    } catch (IllegalArgumentException e) {
      job.fail(ApiError.badRequest(e.getMessage()));
    } catch (RuntimeException e) {
      job.fail(failure(e));
    } catch (OutOfMemoryError e) {
      job.fail(new ApiError(503, "out of memory (" + e.getMessage() + "): ask for fewer or smaller images"));
    } catch (Throwable e) { // one line in the server's log, as ApiHandler's internal errors
      LOG.error("error: job " + job.id + ": " + e);
      job.fail(new ApiError(500, "internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage()));
    } finally {
      running.decrementAndGet();
      retire(job);
    }
  }

  /** A computation's failure in the API's words: memory is 503, the rest an internal error (logged). */
  private static ApiError failure(RuntimeException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
    if (m.contains("can't allocate memory")) {
      return new ApiError(503, "out of memory: " + m.substring(m.indexOf("can't allocate memory"))
          + "; ask for fewer or smaller images");
    }
    LOG.error("error: request failed: " + e);
    return new ApiError(500, "internal error (" + e.getClass().getSimpleName() + "): " + m);
  }

  private void retire(Job job) {
    java.util.concurrent.Future<?> deadline = job.deadline;
    if (deadline != null) {
      deadline.cancel(false);
    }
    finished.add(job.id);
    while (finished.size() > RETAINED) {
      String old = finished.poll();
      if (old != null) {
        jobs.remove(old);
      }
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Cancels everything still queued or running and stops the workers. */
  @Override
  public void close() {
    jobs.values().forEach(j -> cancel(j, new ApiError(503, "the server is shutting down")));
    pool.shutdown();
    timer.shutdownNow();
    try {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
