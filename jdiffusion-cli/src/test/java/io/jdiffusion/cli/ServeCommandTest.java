package io.jdiffusion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code serve}'s bad command lines: one error line and exit code 2, before anything listens. */
class ServeCommandTest {
  private static String run(int expected, String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertEquals(expected, Main.execute(args));
    } finally {
      System.setErr(err);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void badSettingsAreOneErrorLine() {
    assertTrue(run(ExitCode.BAD_INPUT, "serve", "--port", "70000").contains("error: port must be between 0 and 65535"));
    assertTrue(run(ExitCode.BAD_INPUT, "serve", "--max-concurrent", "0").contains("error: max-concurrent must be"));
    assertTrue(run(ExitCode.BAD_INPUT, "serve", "--queue", "-1").contains("error: queue must be"));
    assertTrue(run(ExitCode.BAD_INPUT, "serve", "--model", "no/such/run").contains("error: no/such/run: no such run"));
    assertTrue(run(ExitCode.BAD_INPUT, "serve", "--model", "mnist", "--model", "mnist").contains("served as 'mnist'"));
  }
}
