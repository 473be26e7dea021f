package io.jdiffusion.cli;

import io.jdiffusion.data.DataException;
import io.jdiffusion.nn.Kernels;
import io.jdiffusion.store.StoreException;
import io.jdiffusion.train.NonFiniteStepException;
import java.io.PrintWriter;
import java.util.List;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code jdiffusion train|sample|inpaint|img2img|interpolate|pictures|report|data|train-classifier|evaluate|export|doctor|serve ...}. */
@Command(
    name = "jdiffusion",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Train denoising diffusion models on images and sample from them (libtorch via JavaCPP).",
    subcommands = {TrainCommand.class, TrainWorkerCommand.class, SampleCommand.class, InpaintCommand.class,
        Img2ImgCommand.class,
        InterpolateCommand.class, PicturesCommand.class, ReportCommand.class, DataCommand.class,
        TrainClassifierCommand.class, EvaluateCommand.class, ExportCommand.class, DoctorCommand.class, ServeCommand.class,
        CommandLine.HelpCommand.class, picocli.AutoComplete.GenerateCompletion.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion sample -n 16 -o grid.png      # 16 images from the shipped fashion-mnist model",
        "jdiffusion train                         # train the quick-start model (about 10 minutes)",
        "jdiffusion sample runs/quickstart        # sample from it",
        "jdiffusion COMMAND --help                # each command's options and examples",
        "source <(jdiffusion generate-completion) # tab completion in bash and zsh"})
public final class Main implements Runnable {
  /** {@code --version}: the tool's version as Maven built it, the engine, the JVM and the CPU. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"jdiffusion " + io.jdiffusion.util.ToolVersion.get()};
    }
  }

  @Override
  public void run() {
    commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** The commands of the top-level help, by what they are for. */
  static final java.util.LinkedHashMap<String, List<String>> GROUPS = new java.util.LinkedHashMap<>();

  static {
    GROUPS.put("Generate", List.of("sample", "pictures", "serve"));
    GROUPS.put("Edit", List.of("inpaint", "img2img", "interpolate"));
    GROUPS.put("Train", List.of("train", "train-worker", "train-classifier"));
    GROUPS.put("Evaluate", List.of("evaluate", "report"));
    GROUPS.put("Data and models", List.of("data", "export", "doctor"));
    GROUPS.put("Shell", List.of("help", "generate-completion"));
  }

  /** The command line with this tool's help layout: 100 columns, commands grouped (see {@link #GROUPS}). */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setUsageHelpWidth(100);
    cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Main::groupedCommands);
    cli.getCommandSpec().usageMessage().commandListHeading("%n");
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
    return cli;
  }

  /** The top-level command list, one group after another, each command with its one-line header. */
  private static String groupedCommands(CommandLine.Help help) {
    StringBuilder out = new StringBuilder();
    java.util.Map<String, CommandLine.Help> subs = new java.util.HashMap<>();
    for (CommandLine.Help sub : help.subcommands().values()) { // keyed by name, whatever its aliases
      subs.put(sub.commandSpec().name(), sub);
    }
    for (java.util.Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
      out.append(g.getKey()).append(":\n");
      CommandLine.Help.TextTable table = CommandLine.Help.TextTable.forColumns(help.colorScheme(),
          new CommandLine.Help.Column(22, 2, CommandLine.Help.Column.Overflow.SPAN),
          new CommandLine.Help.Column(help.commandSpec().usageMessage().width() - 22, 2,
              CommandLine.Help.Column.Overflow.WRAP));
      for (String name : g.getValue()) {
        CommandLine.Help sub = subs.get(name);
        if (sub == null) {
          continue;
        }
        CommandLine.Model.UsageMessageSpec u = sub.commandSpec().usageMessage();
        String[] summary = u.header().length > 0 ? u.header() : u.description();
        String[] aliases = sub.commandSpec().aliases();
        table.addRowValues(aliases.length == 0 ? name : name + ", " + String.join(", ", aliases),
            summary.length > 0 ? summary[0] : "");
      }
      out.append(table).append("\n");
    }
    return out.toString();
  }

  /** Runs the command line and returns the exit code (no System.exit, for tests). */
  public static int execute(String... args) {
    CommandLine cli = commandLine();
    cli.setExitCodeExceptionMapper(Main::exitCode);
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("error: " + message(ex));
      if (System.getenv("JDIFFUSION_DEBUG") != null) {
        ex.printStackTrace(cmd.getErr());
      }
      return exitCode(ex);
    });
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      java.util.List<String> close = ex instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
      String help = "try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'";
      ex.getCommandLine().getErr().println(close.isEmpty() ? help
          : "did you mean " + String.join(" or ", close.stream().limit(3).map(c -> "'" + c + "'").toList()) + "? " + help);
      return ExitCode.BAD_INPUT;
    });
    cli.setErr(new PrintWriter(System.err, true));
    cli.setExecutionStrategy(parsed -> {
      try {
        return new CommandLine.RunLast().execute(parsed);
      } catch (OutOfMemoryError e) { // never a stack trace: the input was larger than this heap
        parsed.commandSpec().commandLine().getErr().println("error: out of memory (" + e.getMessage() + "): the input or"
            + " the requested sizes are too large for this JVM's heap of " + (Runtime.getRuntime().maxMemory() >> 20)
            + " MiB; raise it with -Xmx (JDIFFUSION_JAVA_OPTS) or ask for less");
        return ExitCode.BAD_INPUT;
      }
    });
    cli.registerConverter(Double.class, Main::finiteDouble);
    cli.registerConverter(Double.TYPE, Main::finiteDouble);
    cli.registerConverter(String.class, Main::nonEmpty);
    cli.registerConverter(java.nio.file.Path.class, Main::path);
    return cli.execute(args);
  }

  /** Every number option of every command: NaN and infinities are never meaningful settings. */
  static Double finiteDouble(String s) {
    double v;
    try {
      v = Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + s + "' is not a number");
    }
    if (!Double.isFinite(v)) {
      throw new CommandLine.TypeConversionException("'" + s + "' is not a finite number");
    }
    return v;
  }

  /**
   * Every text option and argument: an empty one (a variable that expanded to nothing) names no
   * dataset, model, sampler or class, and is not quietly taken for the default.
   */
  static String nonEmpty(String s) {
    if (s.isBlank()) {
      throw new CommandLine.TypeConversionException("must not be empty ('" + s + "')");
    }
    return s;
  }

  /** Every file and folder option and argument: not empty (it would name the working directory), a valid path. */
  static java.nio.file.Path path(String s) {
    try {
      return java.nio.file.Path.of(nonEmpty(s));
    } catch (java.nio.file.InvalidPathException e) {
      throw new CommandLine.TypeConversionException("'" + s + "' is not a valid path (" + e.getReason() + ")");
    }
  }

  static int exitCode(Throwable ex) {
    if (ex instanceof IllegalArgumentException || ex instanceof DataException || ex instanceof StoreException
        || ex instanceof UncheckedIOException || ex instanceof java.io.IOException || nativeOutOfMemory(ex)) {
      return ExitCode.BAD_INPUT;
    }
    if (ex instanceof InterruptedException) {
      return ExitCode.INTERRUPTED;
    }
    if (ex instanceof NonFiniteStepException) {
      return ExitCode.NOT_FINITE;
    }
    if (ex instanceof Kernels.KernelFailure) {
      return ExitCode.KERNEL_FAILURE;
    }
    if (ex instanceof DataParallel.ProcessLost) {
      return ExitCode.PROCESS_LOST;
    }
    return ExitCode.INTERNAL;
  }

  /** libtorch's allocator failed: the sizes asked for more memory than the machine has (its message says how much). */
  static boolean nativeOutOfMemory(Throwable ex) {
    return ex instanceof RuntimeException && ex.getMessage() != null && ex.getMessage().contains("can't allocate memory");
  }

  static String message(Throwable ex) {
    String m = ex.getMessage();
    if (m != null && (m.contains("\nException raised from") || m.contains("\nframe #"))) { // libtorch's C++ backtrace:
      m = m.substring(0, m.indexOf('\n')); // its first line says it
    }
    if (nativeOutOfMemory(ex)) {
      return "out of memory (" + m.substring(m.indexOf("can't allocate memory")) + "): the requested sizes are too"
          + " large for this machine; ask for less";
    }
    if (ex instanceof java.nio.file.NoSuchFileException) {
      return "no such file: " + m;
    }
    if (ex instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + m;
    }
    if (ex instanceof java.io.IOException || ex instanceof UncheckedIOException) {
      return "I/O failure: " + m;
    }
    if (exitCode(ex) == ExitCode.INTERNAL) {
      return "internal error (" + ex.getClass().getSimpleName() + "): " + m
          + " (set JDIFFUSION_DEBUG=1 for the stack trace)";
    }
    return m == null ? ex.getClass().getSimpleName() : m.replace('\n', ' ');
  }
}
