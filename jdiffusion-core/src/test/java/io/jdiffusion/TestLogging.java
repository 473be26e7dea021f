package io.jdiffusion;

import io.jdiffusion.util.LineLogging;

/**
 * The tests' SLF4J backend (every module's tests, through this module's test classes): the command
 * line's behaviour, lines on stderr, so that tests below the command line can check what the library
 * logs. Chosen by the {@code slf4j.provider} property the build sets (the command line's own tests
 * choose {@code io.jdiffusion.cli.ConsoleLogging}).
 */
public final class TestLogging extends LineLogging {
  public TestLogging() {
    super(() -> System.err);
  }
}
