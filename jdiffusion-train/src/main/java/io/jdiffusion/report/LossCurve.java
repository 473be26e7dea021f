package io.jdiffusion.report;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.report.LossPlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Draws a run directory's metrics.csv into its loss.png. */
public final class LossCurve {
  private LossCurve() {}

  /**
   * Writes {@code runDir/loss.png} from {@code runDir/metrics.csv}, titled by the directory's name.
   *
   * @param logY logarithmic loss axis (linear when a loss is not positive)
   * @param smoothing EMA weight in [0, 1), or null for {@link LossPlot#autoSmoothing} of the row count
   * @return the picture, or null when the run has no metrics rows yet
   */
  public static Path write(Path runDir, int width, int height, boolean logY, Double smoothing) throws IOException {
    Path csv = runDir.resolve(RunLayout.METRICS);
    if (!Files.isRegularFile(csv)) {
      return null;
    }
    MetricsCsv m = MetricsCsv.read(csv);
    if (m.rows().isEmpty()) {
      return null;
    }
    Path name = runDir.toAbsolutePath().normalize().getFileName();
    LossPlot.Style style = new LossPlot.Style(width, height, logY,
        smoothing != null ? smoothing : LossPlot.autoSmoothing(m.rows().size()),
        "training loss" + (name == null ? "" : ": " + name));
    Path png = runDir.resolve(RunLayout.LOSS_PNG);
    ImageGrid.write(png, LossPlot.render(m.steps(), m.losses(), style));
    return png;
  }

  /** 800 x 400, logarithmic, smoothing chosen from the row count. */
  public static Path write(Path runDir) throws IOException {
    return write(runDir, 800, 400, true, null);
  }
}
