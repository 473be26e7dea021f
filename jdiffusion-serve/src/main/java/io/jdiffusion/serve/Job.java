package io.jdiffusion.serve;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One request's life: queued, running (with progress and previews), then done, failed or cancelled.
 * Thread-safe: the worker writes, HTTP threads read and wait; every change bumps {@link #version} and
 * wakes the waiters.
 */
final class Job {
  /** Where a job is. DONE, FAILED and CANCELLED are final. */
  enum State {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    boolean finished() {
      return this == DONE || this == FAILED || this == CANCELLED;
    }

    String lower() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Thrown on the worker thread, from a progress update, when a running job has been cancelled. */
  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super(null, null, false, false);
    }
  }

  /**
   * What a reader sees at one moment.
   *
   * @param previewStep the step of the newest preview, -1 when none yet
   * @param error why it failed or was cancelled, else null
   */
  record Snapshot(long version, State state, long done, long total, int previewStep, byte[] preview, Result result,
      ApiError error) {}

  final String id;
  final Task task;
  final int previewEvery;
  private State state = State.QUEUED;
  private long done;
  private int previewStep = -1;
  private byte[] preview;
  private Result result;
  private ApiError error;
  private long version;
  private volatile ApiError cancelRequest;
  /** The pending timeout, cancelled when the job finishes so that it does not hold the result. */
  volatile java.util.concurrent.Future<?> deadline;

  /**
   * @param previewEvery an x0 preview every this many steps, 0 for none
   */
  Job(String id, Task task, int previewEvery) {
    this.id = id;
    this.task = task;
    this.previewEvery = previewEvery;
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(version, state, done, task.units(), previewStep, preview, result, error);
  }

  /** Waits until the version passes {@code seen} or {@code millis} pass; returns the snapshot then. */
  synchronized Snapshot awaitChange(long seen, long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (version <= seen && !state.finished()) {
      long left = (end - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    return snapshot();
  }

  /** Waits until the job has finished. */
  synchronized Snapshot awaitFinished() throws InterruptedException {
    while (!state.finished()) {
      wait();
    }
    return snapshot();
  }

  /** Moves a queued job to running; false when it was cancelled while it waited. */
  synchronized boolean start() {
    if (state != State.QUEUED) {
      return false;
    }
    change(State.RUNNING);
    return true;
  }

  /** Records progress; throws {@link Cancelled} when the job should stop. */
  void progress(long units) {
    if (cancelRequest != null) {
      throw new Cancelled();
    }
    synchronized (this) {
      done = units;
      change(state);
    }
  }

  synchronized void preview(int step, byte[] png) {
    previewStep = step;
    preview = png;
    change(state);
  }

  synchronized void succeed(Result r) {
    result = r;
    done = task.units();
    change(State.DONE);
  }

  synchronized void fail(ApiError e) {
    error = e;
    change(State.FAILED);
  }

  /** Ends a job that stopped at a progress update after {@link #cancel}. */
  synchronized void stopped() {
    error = cancelRequest;
    change(State.CANCELLED);
  }

  /**
   * Asks the job to stop: a queued job is cancelled at once, a running one at its next step.
   *
   * @param reason the error its result requests get (409 cancelled, 503 timed out)
   * @return false when it had finished already
   */
  synchronized boolean cancel(ApiError reason) {
    if (state.finished() || cancelRequest != null) {
      return !state.finished();
    }
    cancelRequest = reason;
    if (state == State.QUEUED) {
      error = reason;
      change(State.CANCELLED);
    }
    return true;
  }

  /** The status document of {@code GET /api/jobs/ID}. */
  Map<String, Object> status() {
    Snapshot s = snapshot();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("op", task.op());
    m.put("model", task.model().name());
    m.put("state", s.state().lower());
    m.put("done", s.done());
    m.put("total", s.total());
    if (s.error() != null) {
      m.put("status", s.error().status());
      m.put("error", s.error().getMessage());
    }
    return m;
  }

  private void change(State next) {
    state = next;
    version++;
    notifyAll();
  }
}
