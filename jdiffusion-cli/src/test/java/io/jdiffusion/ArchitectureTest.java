package io.jdiffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages' dependencies point one way: cli -> (serve, train, eval) -> pipeline -> sampling ->
 * model/diffusion -> nn, with the file format (store), the schedule, the metrics (eval) and util
 * free-standing. The edges are read from every module's compiled classes by the JDK's own jdeps, so no
 * import can hide (the modules' own boundaries are Maven's: core cannot compile against the others).
 */
class ArchitectureTest {
  /** A package may depend only on packages of a lower layer; a new package must be placed here. */
  static final Map<String, Integer> LAYER = Map.ofEntries(
      Map.entry("store", 0), Map.entry("schedule", 0), Map.entry("util", 0), Map.entry("eval", 0),
      Map.entry("image", 1), Map.entry("hub", 1), Map.entry("text", 1),
      Map.entry("data", 2), Map.entry("nn", 2),
      Map.entry("diffusion", 3), Map.entry("nn.clip", 3), Map.entry("nn.conditional", 3), Map.entry("nn.vae", 3),
      Map.entry("model", 4), Map.entry("sampling", 4),
      Map.entry("interop", 5),
      Map.entry("pipeline", 6),
      Map.entry("train", 7), Map.entry("viz", 7), Map.entry("eval.features", 7),
      Map.entry("distributed", 8), Map.entry("report", 8), Map.entry("serve", 8),
      Map.entry("fetch", 9), Map.entry("bench", 9),
      Map.entry("cli", 10));

  private static final Pattern EDGE = Pattern.compile("^\\s+io\\.jdiffusion\\.(\\S+)\\s+->\\s+io\\.jdiffusion\\.(\\S+)");

  /** One class of each module: where its compiled classes are. */
  static final List<Class<?>> MODULES = List.of(io.jdiffusion.nn.UNet.class, io.jdiffusion.data.Datasets.class,
      io.jdiffusion.train.Trainer.class, io.jdiffusion.eval.Fid.class, io.jdiffusion.serve.Server.class, Main.class);

  /** Package-to-package edges among the project's main classes (every module's), from jdeps. */
  static List<String[]> edges() throws Exception {
    List<String> args = new ArrayList<>(List.of("-verbose:package", "-e", "io\\.jdiffusion\\..*"));
    for (Class<?> c : MODULES) {
      args.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
    StringWriter out = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), args.toArray(String[]::new));
    assertEquals(0, rc, out.toString());
    List<String[]> edges = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find() && !m.group(1).equals(m.group(2))) {
        edges.add(new String[] {m.group(1), m.group(2)});
      }
    }
    return edges;
  }

  /** The edges that do not point to a lower layer, and packages without a layer. */
  static TreeSet<String> violations(List<String[]> edges) {
    TreeSet<String> wrong = new TreeSet<>();
    for (String[] e : edges) {
      Integer from = LAYER.get(e[0]);
      Integer to = LAYER.get(e[1]);
      if (from == null || to == null) {
        wrong.add("package " + (from == null ? e[0] : e[1]) + " has no layer in ArchitectureTest.LAYER");
      } else if (to >= from) {
        wrong.add(e[0] + " (layer " + from + ") -> " + e[1] + " (layer " + to + ")");
      }
    }
    return wrong;
  }

  @Test
  void dependenciesPointDownTheLayersOnly() throws Exception {
    List<String[]> edges = edges();
    assertTrue(edges.size() > 30, "jdeps found only " + edges.size() + " edges: the parsing is broken");
    TreeSet<String> wrong = violations(edges);
    assertTrue(wrong.isEmpty(), "dependencies against the layering:\n  " + String.join("\n  ", wrong));
  }

  @Test
  void aCycleOrAnUnplacedPackageIsReported() {
    // the cycle this test was written against: pipeline -> train (loading checkpoints) -> pipeline
    assertEquals(List.of("pipeline (layer 6) -> train (layer 7)"),
        List.copyOf(violations(List.of(new String[] {"pipeline", "train"}, new String[] {"train", "pipeline"}))));
    assertEquals(List.of("package plugins has no layer in ArchitectureTest.LAYER"),
        List.copyOf(violations(List.of(new String[] {"plugins", "nn"}, new String[] {"sampling", "nn"}))));
  }
}
