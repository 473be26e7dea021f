package io.jdiffusion.cli;

import io.jdiffusion.report.LossCurve;
import io.jdiffusion.report.RunLayout;
import io.jdiffusion.report.RunReport;
import io.jdiffusion.store.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code report}: redraws a run's loss curve and writes its one-page HTML report. */
@Command(name = "report",
    header = "Redraw a run's loss curve and write its one-page HTML report.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion report runs/quickstart                   # runs/quickstart/report.html"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Redraw RUN/loss.png from metrics.csv and write RUN/report.html: one self-contained page with",
        "the configuration, loss curve, sample grids, strips and GIF, metrics summary and checkpoints."})
public final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN", description = "Run directory.") Path run;

  @Option(names = {"-o", "--out"}, description = "HTML file (default: RUN/report.html).") Path out;
  @Option(names = "--linear", description = "Linear loss axis instead of logarithmic.") boolean linear;
  @Option(names = "--smoothing", description = "EMA weight of the smoothed loss, in [0, 1) (default: 1 - 20/rows, "
      + "within [0, 0.99]).")
  Double smoothing;
  @Option(names = "--width", description = "Loss plot width in pixels (default: ${DEFAULT-VALUE}).", defaultValue = "800")
  int width;
  @Option(names = "--height", description = "Loss plot height in pixels (default: ${DEFAULT-VALUE}).",
      defaultValue = "400")
  int height;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(run)) {
      throw new IllegalArgumentException(run + (Files.exists(run) ? " is a file, not a run directory" : ": no such run directory"));
    }
    if (smoothing != null && !(smoothing >= 0 && smoothing < 1)) {
      throw new IllegalArgumentException("--smoothing must be in [0, 1), got " + smoothing);
    }
    Path target = Outputs.typed(out != null ? out : run.resolve(RunLayout.REPORT), "--out", "HTML", ".html", ".htm");
    Path loss = LossCurve.write(run, width, height, !linear, smoothing);
    String html = RunReport.html(run);
    AtomicFiles.writeString(target, html);
    if (loss != null) {
      System.out.println("loss curve: " + loss);
    }
    System.out.println("report: " + target);
    return ExitCode.OK;
  }
}
