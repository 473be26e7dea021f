package io.jdiffusion.cli;

/** The process exit codes of the command line. */
public final class ExitCode {
  private ExitCode() {}

  /** Success. */
  public static final int OK = 0;
  /** An unexpected internal failure (a bug); the message says so. */
  public static final int INTERNAL = 1;
  /** Bad input: options, data, checkpoint or weights files. */
  public static final int BAD_INPUT = 2;
  /**
   * Training stopped at a step whose loss or gradient was NaN or infinite; nothing of that step was
   * applied or saved, and the newest checkpoint holds the last good state.
   */
  public static final int NOT_FINITE = 3;
  /** A kernel the request needs failed its numerical self-check on this CPU ({@code jdiffusion doctor}). */
  public static final int KERNEL_FAILURE = 4;
  /**
   * A process of a data-parallel job stopped or could not be reached; the newest checkpoint holds the
   * last good state, and {@code train --resume} continues from it.
   */
  public static final int PROCESS_LOST = 5;
  /** Interrupted by the user (Ctrl-C). */
  public static final int INTERRUPTED = 130;
}
