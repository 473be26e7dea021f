package io.jdiffusion.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Progress with rate and ETA, on the stream the caller gives (the command line gives stderr; the
 * library never writes to a console by itself). When standard error is a terminal it is a one-line bar
 * redrawn at most every 200 ms; into a pipe or a log it is a plain line every 10 s and at the end, so
 * that logs hold no carriage returns. No stream prints nothing. {@code JDIFFUSION_PROGRESS=bar|lines|none}
 * overrides the choice.
 */
public final class Progress {
  /** How progress is shown. */
  public enum Style {
    BAR, LINES, NONE
  }

  private static final long LINE_EVERY_NS = 10_000_000_000L;

  private final String label;
  private final long total;
  private final Style style;
  private final PrintStream out;
  private final LongConsumer listener;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long lastShown = -1;
  private String extra = "";
  private String rateUnit;
  private double perRateUnit = 1;

  /** Progress on {@code out} (null: none) in the style {@link #detectStyle} chooses. */
  public Progress(String label, long total, PrintStream out) {
    this(label, total, out == null ? Style.NONE : detectStyle(), out);
  }

  public Progress(String label, long total, boolean quiet, PrintStream out) {
    this(label, total, quiet ? Style.NONE : Style.BAR, out, null);
  }

  public Progress(String label, long total, Style style, PrintStream out) {
    this(label, total, style, out, null);
  }

  private Progress(String label, long total, Style style, PrintStream out, LongConsumer listener) {
    this.label = label;
    this.total = Math.max(1, total);
    this.style = style;
    this.out = out;
    this.listener = listener;
  }

  /** A progress that shows nothing (counting {@code total} units). */
  public static Progress silent(long total) {
    return new Progress("", total, Style.NONE, null, null);
  }

  /**
   * A progress that prints nothing and hands every {@link #update} to {@code listener} (a server's
   * progress stream). The listener runs on the computing thread; what it throws (a cancellation)
   * ends the computation.
   */
  public static Progress listening(long total, LongConsumer listener) {
    return new Progress("", total, Style.NONE, null, java.util.Objects.requireNonNull(listener));
  }

  /**
   * Shows the rate in {@code unit}s per second, one unit being {@code per} of the counted units (a
   * sampling bar counts image-steps and shows images/s: {@code rate("images", steps)}).
   */
  public Progress rate(String unit, double per) {
    this.rateUnit = unit;
    this.perRateUnit = per;
    return this;
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
    if (style == Style.NONE) {
      return;
    }
    long now = System.nanoTime();
    long every = style == Style.BAR ? 200_000_000L : LINE_EVERY_NS;
    long since = lastDraw != 0 ? lastDraw : style == Style.LINES ? start : now - every; // a bar shows at once
    if (done < total && now - since < every) {
      return;
    }
    lastDraw = now;
    lastShown = done;
    String line = line(done, (now - start) / 1e9);
    if (style == Style.BAR) {
      out.print("\r" + line + "   ");
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** The progress text: label, count or rate, bar, status, elapsed and remaining time. */
  String line(long done, double secs) {
    double rate = done / Math.max(secs, 1e-9);
    long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    int width = 24;
    int filled = (int) (width * done / total);
    String count = rateUnit == null
        ? String.format(Locale.ROOT, "%d/%d", done, total)
        : String.format(Locale.ROOT, "%3d%% %.1f %s/s", 100 * done / total, rate / perRateUnit, rateUnit);
    String bar = style == Style.BAR ? " [" + "#".repeat(filled) + ".".repeat(width - filled) + "]" : "";
    return String.format(Locale.ROOT, "%s %s%s %selapsed %s ETA %s", label, count, bar, extra.isEmpty() ? "" : extra + " ",
        clock(Math.round(secs)), clock(eta));
  }

  /** Ends the bar line (a terminal) or writes the final line (a log). */
  public void done() {
    if (style != Style.NONE) {
      if (lastShown < total) {
        update(total);
      }
      if (style == Style.BAR) {
        out.println();
      }
    }
  }

  /** Seconds so far. */
  public double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Bar when standard error is a terminal, lines elsewhere; {@code JDIFFUSION_PROGRESS} overrides. */
  public static Style detectStyle() {
    String v = System.getenv("JDIFFUSION_PROGRESS");
    if (v != null && !v.isBlank()) {
      for (Style st : Style.values()) {
        if (st.name().equalsIgnoreCase(v.strip())) {
          return st;
        }
      }
    }
    return stderrIsTerminal() ? Style.BAR : Style.LINES;
  }

  /** Whether stderr is a terminal: on Linux its descriptor links to /dev/pts/N or /dev/ttyN. */
  private static boolean stderrIsTerminal() {
    try {
      String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  static String clock(long s) {
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}
