package io.jdiffusion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdiffusion.train.TrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help as a new user reads it: a snapshot of every command's help (regenerate with
 * {@code -Djdiffusion.help.update=true} and read the diff), full one-line summaries, a default on every
 * option, and examples that parse.
 */
class HelpTest {
  private static final Path SNAPSHOTS = Path.of("src/test/resources/help");

  /** Every command by its qualified name, the top level first. */
  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> all = new LinkedHashMap<>();
    collect(Main.commandLine(), all);
    return all;
  }

  private static void collect(CommandLine c, Map<String, CommandLine> all) {
    if (!c.getCommandSpec().usageMessage().hidden()) {
      all.putIfAbsent(c.getCommandSpec().qualifiedName(), c);
    }
    for (CommandLine sub : c.getSubcommands().values()) {
      collect(sub, all);
    }
  }

  @Test
  void helpMatchesItsSnapshots() throws IOException {
    boolean update = Boolean.getBoolean("jdiffusion.help.update");
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
      String text = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
      Path file = SNAPSHOTS.resolve(e.getKey().replace(' ', '_') + ".txt");
      if (update) {
        Files.writeString(file, text, StandardCharsets.UTF_8);
      } else if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
        differ.add(e.getKey());
      }
    }
    assertEquals(List.of(), differ, "help changed; rerun with -Djdiffusion.help.update=true and review the diff");
  }

  @Test
  void theSamplerHelpNamesEveryBuiltInSamplerAndEachNameParses() {
    List<String> builtIn = io.jdiffusion.sampling.Samplers.all().stream()
        .filter(s -> s.getClass().getPackageName().equals("io.jdiffusion.sampling"))
        .map(io.jdiffusion.sampling.Sampler::name).toList();
    String listed = Help.SAMPLER_NAMES.substring(0, Help.SAMPLER_NAMES.indexOf(';')).replace(" or ", ", ");
    assertEquals(builtIn, List.of(listed.split(", ")));
    for (String alias : List.of("plms", "Euler a", "DPM++ 2M Karras", "k_dpmpp_2m", "uni_pc")) {
      io.jdiffusion.sampling.Samplers.byName(alias); // every alias the help shows resolves
    }
  }

  @Test
  void everyCommandHasAOneSentenceSummary() {
    for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
      if (e.getKey().equals("jdiffusion") || e.getKey().endsWith(" help") || e.getKey().endsWith("generate-completion")) {
        continue;
      }
      String[] header = e.getValue().getCommandSpec().usageMessage().header();
      assertEquals(1, header.length, e.getKey());
      assertTrue(header[0].endsWith(".") && header[0].length() <= 120, e.getKey() + ": " + header[0]);
    }
  }

  @Test
  void everyOptionSaysItsDefault() {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        boolean flag = o.arity().max() == 0;
        if (flag || o.required() || o.hidden() || o.usageHelp() || o.versionHelp()) {
          continue;
        }
        String d = String.join(" ", o.description()).toLowerCase(Locale.ROOT);
        if (!d.contains("default")) {
          missing.add(e.getKey() + " " + o.longestName());
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void trainsDefaultsAreThePresets() {
    CommandSpec train = Main.commandLine().getSubcommands().get("train").getCommandSpec();
    TrainConfig quick = TrainConfig.quick();
    TrainConfig reference = TrainConfig.reference();
    assertEquals("Optimizer steps (default: " + quick.steps() + "; reference preset: " + reference.steps() + ").",
        train.findOption("--steps").description()[0]);
    assertTrue(train.findOption("--lr").description()[0].contains("(default: " + quick.lr()),
        train.findOption("--lr").description()[0]);
    for (String name : PresetDefaults.options()) {
      assertTrue(String.join(" ", train.findOption("--" + name).description()).contains("(default: "), name);
    }
  }

  @Test
  void everyExampleParses() {
    int examples = 0;
    for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
      for (String line : e.getValue().getCommandSpec().usageMessage().footer()) {
        String cmd = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
        if (!cmd.startsWith("jdiffusion ") || cmd.contains("COMMAND") || cmd.contains("<(")) {
          continue;
        }
        String[] args = cmd.substring("jdiffusion ".length()).trim().split("\\s+");
        try {
          Main.commandLine().parseArgs(args);
          examples++;
        } catch (CommandLine.ParameterException ex) {
          fail(e.getKey() + " example '" + line + "': " + ex.getMessage() + " " + Arrays.toString(args));
        }
      }
    }
    assertTrue(examples >= 25, "examples: " + examples);
  }
}
