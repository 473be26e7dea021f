package io.jdiffusion.report;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.viz.LossPlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Draws a run directory's metrics.csv into its loss.png. */
public final class LossCurve {
  private LossCurve() {}

  /**
   * Writes {@code runDir/loss.png} from {@code runDir/metrics.csv}.
   *
   * @return the picture, or null when the run has no metrics rows yet
   */
  public static Path write(Path runDir, LossPlot.Style style) throws IOException {
    Path csv = runDir.resolve(RunLayout.METRICS);
    if (!Files.isRegularFile(csv)) {
      return null;
    }
    MetricsCsv m = MetricsCsv.read(csv);
    if (m.rows().isEmpty()) {
      return null;
    }
    Path png = runDir.resolve(RunLayout.LOSS_PNG);
    ImageGrid.write(png, LossPlot.render(m.steps(), m.losses(), style));
    return png;
  }

  /** {@link #write(Path, LossPlot.Style)} with the default style, titled by the run directory's name. */
  public static Path write(Path runDir) throws IOException {
    Path name = runDir.toAbsolutePath().normalize().getFileName();
    return write(runDir, LossPlot.Style.defaults("training loss" + (name == null ? "" : ": " + name)));
  }
}
