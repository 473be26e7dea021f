package io.jdiffusion.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code data}: the group of dataset commands, {@code fetch} and {@code inspect}. */
@Command(name = "data",
    header = "Fetch and inspect datasets.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion data fetch mnist",
        "jdiffusion data inspect cifar10 --out cifar.png"}, mixinStandardHelpOptions = true,
    description = {"Get and look at datasets.",
        "Named sets: fashion-mnist, mnist, cifar10, emoji (see 'data fetch --help'); any folder of images also works."},
    subcommands = {DataFetchCommand.class, DataInspectCommand.class, CommandLine.HelpCommand.class})
public final class DataCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
