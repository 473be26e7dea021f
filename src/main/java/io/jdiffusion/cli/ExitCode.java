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
  /** Interrupted by the user (Ctrl-C). */
  public static final int INTERRUPTED = 130;
}
