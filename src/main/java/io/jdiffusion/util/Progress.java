package io.jdiffusion.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on stderr with rate and ETA, redrawn at most every 200 ms; in quiet mode
 * (or when stderr is no terminal and {@code quiet} is set) it prints nothing until {@link #done}.
 */
public final class Progress {
  private final String label;
  private final long total;
  private final boolean quiet;
  private final PrintStream out;
  private final LongConsumer listener;
  private final long start = System.nanoTime();
  private long lastDraw;
  private String extra = "";

  public Progress(String label, long total, boolean quiet) {
    this(label, total, quiet, System.err);
  }

  public Progress(String label, long total, boolean quiet, PrintStream out) {
    this(label, total, quiet, out, null);
  }

  private Progress(String label, long total, boolean quiet, PrintStream out, LongConsumer listener) {
    this.label = label;
    this.total = Math.max(1, total);
    this.quiet = quiet;
    this.out = out;
    this.listener = listener;
  }

  /**
   * A progress that prints nothing and hands every {@link #update} to {@code listener} (a server's
   * progress stream). The listener runs on the computing thread; what it throws (a cancellation)
   * ends the computation.
   */
  public static Progress listening(long total, LongConsumer listener) {
    return new Progress("", total, true, System.err, java.util.Objects.requireNonNull(listener));
  }

  /** Sets the text shown after the bar, e.g. "loss 0.031". */
  public void status(String text) {
    this.extra = text;
  }

  /** Reports that {@code done} of {@code total} units are finished. */
  public void update(long done) {
    if (listener != null) {
      listener.accept(done);
    }
    if (quiet) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 200_000_000L) {
      return;
    }
    lastDraw = now;
    double secs = (now - start) / 1e9;
    double rate = done / Math.max(secs, 1e-9);
    long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    int width = 24;
    int filled = (int) (width * done / total);
    String bar = "#".repeat(filled) + ".".repeat(width - filled);
    out.printf(Locale.ROOT, "\r%s %d/%d [%s] %s elapsed %s ETA %s   ", label, done, total, bar, extra,
        clock(Math.round(secs)), clock(eta));
    out.flush();
  }

  /** Ends the bar line. */
  public void done() {
    if (!quiet) { // a listener has seen the last update already
      update(total);
      out.println();
    }
  }

  /** Seconds so far. */
  public double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  static String clock(long s) {
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}
