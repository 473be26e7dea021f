package io.jdiffusion.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** cli -> fetch -> data: only the command line uses the acquisition tooling, and it never uses the command line. */
class DependencyDirectionTest {
  private static final Path MAIN = Path.of("src/main/java/io/jdiffusion");

  /** Main source files outside package {@code target} that name a class of {@code io.jdiffusion.target}. */
  private static List<String> users(String target) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = MAIN.relativize(f).getName(0).toString();
        if (!pkg.equals(target) && Files.readString(f).contains("io.jdiffusion." + target + ".")) {
          found.add(MAIN.relativize(f).toString());
        }
      }
    }
    return found;
  }

  @Test
  void onlyTheCommandLineUsesFetch() throws IOException {
    assertTrue(Files.isDirectory(MAIN.resolve("fetch")), "run from the project root");
    List<String> users = users("fetch");
    assertTrue(users.stream().allMatch(f -> f.startsWith("cli/")), "outside cli/: " + users);
    assertFalse(users.isEmpty(), "cli/ runs data fetch through this package");
  }

  @Test
  void fetchDoesNotUseTheCommandLine() throws IOException {
    assertEquals(List.of(), users("cli").stream().filter(f -> f.startsWith("fetch/")).toList());
  }
}
