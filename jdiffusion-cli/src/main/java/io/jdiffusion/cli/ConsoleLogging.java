package io.jdiffusion.cli;

import io.jdiffusion.util.LineLogging;

/**
 * The command line's SLF4J backend (registered in META-INF/services): the library's info, warning and
 * error lines printed to stderr as they are, which is what the commands printed before the library
 * logged through SLF4J. An application that embeds the library binds its own backend instead.
 */
public final class ConsoleLogging extends LineLogging {
  public ConsoleLogging() {
    super(() -> System.err);
  }
}
