package io.jdiffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library modules (all but the command line) write nothing to the console by themselves: notes and
 * warnings go through SLF4J, progress to a stream the caller gives. Comments are not code and are skipped.
 */
class LibraryModulesTest {
  private static final Pattern CONSOLE = Pattern.compile("\\bSystem\\.(err|out)\\b|\\.printStackTrace\\(\\)");

  static List<String> consoleWrites(Path root) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        List<String> lines = Files.readAllLines(p);
        boolean inComment = false;
        for (int i = 0; i < lines.size(); i++) {
          String code = lines.get(i).strip();
          if (code.startsWith("/*")) {
            inComment = true;
          }
          boolean comment = inComment || code.startsWith("//") || code.startsWith("*");
          if (code.contains("*/")) {
            inComment = false;
          }
          int slashes = code.indexOf("//");
          String checked = slashes >= 0 ? code.substring(0, slashes) : code;
          if (!comment && CONSOLE.matcher(checked).find()) {
            found.add(p + ":" + (i + 1) + ": " + code);
          }
        }
      }
    }
    return found;
  }

  @Test
  void noLibraryModuleWritesToTheConsole() throws IOException {
    List<Path> roots = TestTorch.mainSourceRoots();
    List<String> found = new ArrayList<>();
    int libraries = 0;
    for (Path root : roots) {
      if (!root.toString().contains("jdiffusion-cli")) {
        libraries++;
        found.addAll(consoleWrites(root));
      }
    }
    assertEquals(5, libraries, "library modules: " + roots);
    assertEquals(List.of(), found);
  }

  @Test
  void theCheckFindsConsoleWritesInCode() throws IOException {
    // the command line does write to the console: the same scan finds it there
    Path cli = TestTorch.mainSourceRoots().stream().filter(r -> r.toString().contains("jdiffusion-cli")).findFirst()
        .orElseThrow();
    assertTrue(consoleWrites(cli).size() > 5, "the scan finds nothing in the command line: it is broken");
  }
}
