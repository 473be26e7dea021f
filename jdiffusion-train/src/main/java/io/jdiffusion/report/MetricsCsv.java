package io.jdiffusion.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trainer's metrics.csv, read by its header: {@code step,loss,lr,grad_norm,images_per_s,elapsed_s}.
 * Columns may come in any order; a missing optional column reads as NaN. elapsed_s restarts at 0
 * when a run is resumed, so the total time adds up the sessions.
 */
public final class MetricsCsv {
  /** One logged row; NaN where the file has no such column. */
  public record Row(long step, double loss, double lr, double gradNorm, double imagesPerSecond, double elapsedSeconds) {}

  /** Figures of a whole run. */
  public record Summary(int rows, long lastStep, double firstLoss, double lastLoss, double minLoss,
      double lastImagesPerSecond, double totalSeconds, int sessions) {}

  private final List<Row> rows;

  private MetricsCsv(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  public List<Row> rows() {
    return rows;
  }

  /** Parses {@code file}; a malformed line is an IllegalArgumentException naming the line. */
  public static MetricsCsv read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses the lines of a metrics file; {@code name} appears in errors. */
  public static MetricsCsv parse(List<String> lines, String name) {
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new IllegalArgumentException(name + ": empty metrics file (no header)");
    }
    List<String> header = Arrays.stream(lines.get(0).split(",")).map(String::strip).toList();
    int step = header.indexOf("step");
    int loss = header.indexOf("loss");
    if (step < 0 || loss < 0) {
      throw new IllegalArgumentException(name + ": header has no step and loss columns: " + lines.get(0));
    }
    int lr = header.indexOf("lr");
    int grad = header.indexOf("grad_norm");
    int ips = header.indexOf("images_per_s");
    int elapsed = header.indexOf("elapsed_s");
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != header.size()) {
        throw new IllegalArgumentException(name + ":" + (i + 1) + ": " + f.length + " fields, header has " + header.size());
      }
      try {
        rows.add(new Row(Long.parseLong(f[step].strip()), num(f, loss), num(f, lr), num(f, grad), num(f, ips),
            num(f, elapsed)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ":" + (i + 1) + ": not a number (" + e.getMessage() + ")");
      }
    }
    return new MetricsCsv(rows);
  }

  private static double num(String[] f, int column) {
    return column < 0 ? Double.NaN : Double.parseDouble(f[column].strip());
  }

  /** Steps of the rows. */
  public double[] steps() {
    return rows.stream().mapToDouble(Row::step).toArray();
  }

  /** Losses of the rows. */
  public double[] losses() {
    return rows.stream().mapToDouble(Row::loss).toArray();
  }

  /** The run's figures; null when there are no rows. */
  public Summary summary() {
    if (rows.isEmpty()) {
      return null;
    }
    double min = Double.POSITIVE_INFINITY;
    double total = 0;
    double sessionEnd = 0;
    int sessions = 1;
    double previous = Double.NEGATIVE_INFINITY;
    for (Row r : rows) {
      min = Math.min(min, r.loss());
      double e = r.elapsedSeconds();
      if (!Double.isNaN(e)) {
        if (e < previous) { // elapsed_s restarted: a resumed session
          total += sessionEnd;
          sessions++;
        }
        sessionEnd = e;
        previous = e;
      }
    }
    total += sessionEnd;
    Row first = rows.get(0);
    Row last = rows.get(rows.size() - 1);
    return new Summary(rows.size(), last.step(), first.loss(), last.loss(), min, last.imagesPerSecond(), total,
        sessions);
  }
}
