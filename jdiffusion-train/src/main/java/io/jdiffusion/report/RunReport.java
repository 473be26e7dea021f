package io.jdiffusion.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.AtomicFiles;
import io.jdiffusion.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One self-contained HTML page about a run directory: summary figures, the loss curve, the sample
 * grids, the forward/reverse strips and the denoising GIF, the configuration as a table, metrics,
 * checkpoints and the model card. Pictures are embedded as base64 data URIs, so the page can be
 * moved or mailed on its own. Reads only what is there; missing parts get a line saying how to
 * make them.
 */
public final class RunReport {
  /** Most sample grids shown (evenly chosen, the final grid always among them). */
  static final int MAX_GRIDS = 12;
  private static final Pattern STEP_FILE = Pattern.compile("step-0*(\\d+)\\.(png|safetensors)");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

  private RunReport() {}

  /** Writes {@code runDir/report.html} atomically and returns its path. */
  public static Path write(Path runDir) throws IOException {
    Path out = runDir.resolve(RunLayout.REPORT);
    AtomicFiles.writeString(out, html(runDir));
    return out;
  }

  /** The page for {@code runDir}. */
  public static String html(Path runDir) throws IOException {
    if (!isRun(runDir)) {
      throw new IllegalArgumentException(runDir + ": not a run directory (no " + RunLayout.CONFIG + ", "
          + RunLayout.METRICS + " or " + RunLayout.CHECKPOINTS + "/)");
    }
    Path abs = runDir.toAbsolutePath().normalize();
    String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    MetricsCsv metrics = Files.isRegularFile(runDir.resolve(RunLayout.METRICS))
        ? MetricsCsv.read(runDir.resolve(RunLayout.METRICS)) : null;
    MetricsCsv.Summary sum = metrics == null ? null : metrics.summary();
    JsonNode config = readConfig(runDir);
    StringBuilder b = new StringBuilder(1 << 16);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>jdiffusion run ")
        .append(Html.esc(name)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    b.append("<h1>Run <code>").append(Html.esc(name)).append("</code></h1>\n<p class=\"sub\">")
        .append(Html.esc(abs.toString())).append(" &middot; report written ")
        .append(TIME.format(Instant.now())).append("</p>\n");
    cards(b, config, sum, runDir);

    b.append("<h2>Training loss</h2>\n");
    Path loss = runDir.resolve(RunLayout.LOSS_PNG);
    if (Files.isRegularFile(loss)) {
      b.append(Html.img(loss, "training loss", "plot")).append('\n');
    } else {
      b.append("<p class=\"missing\">No loss curve yet (no rows in metrics.csv).</p>\n");
    }

    b.append("<h2>Samples during training</h2>\n");
    samples(b, runDir);

    b.append("<h2>Forward and reverse process</h2>\n");
    strips(b, runDir);

    b.append("<h2>Configuration</h2>\n");
    if (config == null) {
      b.append("<p class=\"missing\">No config.json.</p>\n");
    } else {
      List<List<String>> rows = new ArrayList<>();
      flatten("", config, rows);
      b.append(Html.table(List.of("setting", "value"), rows));
    }

    b.append("<h2>Metrics</h2>\n");
    metricsSection(b, metrics, sum);

    b.append("<h2>Checkpoints and weights</h2>\n");
    checkpoints(b, runDir);

    Path card = runDir.resolve(RunLayout.MODEL_CARD);
    if (Files.isRegularFile(card)) {
      b.append("<h2>Model card</h2>\n<pre class=\"card-text\">")
          .append(Html.esc(Files.readString(card, StandardCharsets.UTF_8))).append("</pre>\n");
    }
    b.append("<footer>Written by <code>jdiffusion report</code>. Files: see docs/run-directory.md.</footer>\n");
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  /** Whether {@code dir} looks like a run directory. */
  static boolean isRun(Path dir) {
    return Files.isDirectory(dir) && (Files.isRegularFile(dir.resolve(RunLayout.CONFIG))
        || Files.isRegularFile(dir.resolve(RunLayout.METRICS)) || Files.isDirectory(dir.resolve(RunLayout.CHECKPOINTS)));
  }

  private static JsonNode readConfig(Path runDir) throws IOException {
    Path file = runDir.resolve(RunLayout.CONFIG);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
    }
  }

  private static void cards(StringBuilder b, JsonNode config, MetricsCsv.Summary sum, Path runDir) throws IOException {
    List<String[]> cards = new ArrayList<>();
    String total = config != null && config.has("steps") ? " / " + config.get("steps").asText() : "";
    if (sum != null) {
      cards.add(new String[] {"steps", sum.lastStep() + total});
      cards.add(new String[] {"last loss", fmt(sum.lastLoss())});
      cards.add(new String[] {"lowest loss", fmt(sum.minLoss())});
      cards.add(new String[] {"images/s", Double.isNaN(sum.lastImagesPerSecond()) ? "n/a"
          : String.format(Locale.ROOT, "%.1f", sum.lastImagesPerSecond())});
      cards.add(new String[] {"training time", duration(sum.totalSeconds())
          + (sum.sessions() > 1 ? " (" + sum.sessions() + " sessions)" : "")});
    }
    if (config != null && config.has("data")) {
      cards.add(new String[] {"data", config.get("data").asText()});
    }
    if (config != null && config.has("model")) {
      JsonNode m = config.get("model");
      cards.add(new String[] {"images", m.path("inChannels").asText() + "x" + m.path("imageSize").asText() + "x"
          + m.path("imageSize").asText()});
    }
    cards.add(new String[] {"checkpoints", Integer.toString(files(runDir.resolve(RunLayout.CHECKPOINTS)).size())});
    b.append("<div class=\"cards\">\n");
    for (String[] c : cards) {
      b.append("<div class=\"c\"><div class=\"k\">").append(Html.esc(c[0])).append("</div><div class=\"v\">")
          .append(Html.esc(c[1])).append("</div></div>\n");
    }
    b.append("</div>\n");
  }

  private static void samples(StringBuilder b, Path runDir) throws IOException {
    List<Path> grids = new ArrayList<>();
    Path finalGrid = null;
    for (Path p : files(runDir.resolve(RunLayout.SAMPLES))) {
      String f = p.getFileName().toString();
      if (f.equals("final.png")) {
        finalGrid = p;
      } else if (STEP_FILE.matcher(f).matches() && f.endsWith(".png")) {
        grids.add(p);
      }
    }
    List<Path> shown = new ArrayList<>();
    int room = MAX_GRIDS - (finalGrid != null ? 1 : 0);
    if (grids.size() <= room) {
      shown.addAll(grids);
    } else {
      for (int i = 0; i < room; i++) {
        shown.add(grids.get((int) Math.round((double) i * (grids.size() - 1) / Math.max(1, room - 1))));
      }
    }
    if (finalGrid != null) {
      shown.add(finalGrid);
    }
    if (shown.isEmpty()) {
      b.append("<p class=\"missing\">No sample grids (train with --sample-every N for grids during training).</p>\n");
      return;
    }
    b.append("<div class=\"grids\">\n");
    for (Path p : shown) {
      Matcher m = STEP_FILE.matcher(p.getFileName().toString());
      String caption = m.matches() ? "step " + m.group(1) : "final (" + p.getFileName() + ")";
      b.append("<figure>").append(Html.img(p, caption, "grid")).append("<figcaption>").append(Html.esc(caption))
          .append("</figcaption></figure>\n");
    }
    b.append("</div>\n");
    int hidden = grids.size() + (finalGrid != null ? 1 : 0) - shown.size();
    if (hidden > 0) {
      b.append("<p class=\"sub\">").append(hidden).append(" more grids in samples/.</p>\n");
    }
  }

  private static void strips(StringBuilder b, Path runDir) throws IOException {
    String[][] parts = {
        {"forward", "Forward process: one image noised with q(x_t | x_0)"},
        {"reverse", "Reverse process: x_t and the network's clean-image estimate at evenly spaced steps"},
        {"gif", "Denoising, animated"}};
    boolean any = false;
    for (String[] part : parts) {
      Path p = switch (part[0]) {
        case "forward" -> RunLayout.forwardStrip(runDir);
        case "reverse" -> RunLayout.reverseStrip(runDir);
        default -> RunLayout.gif(runDir);
      };
      if (Files.isRegularFile(p)) {
        any = true;
        b.append("<figure class=\"wide\">").append(Html.img(p, part[1], "strip")).append("<figcaption>")
            .append(Html.esc(part[1]))
            .append("</figcaption></figure>\n");
      }
    }
    if (!any) {
      b.append("<p class=\"missing\">No strips yet: run <code>jdiffusion pictures ")
          .append(Html.esc(runDir.toString())).append("</code>.</p>\n");
    }
  }

  private static void metricsSection(StringBuilder b, MetricsCsv metrics, MetricsCsv.Summary sum) {
    if (sum == null) {
      b.append("<p class=\"missing\">No metrics.csv rows.</p>\n");
      return;
    }
    MetricsCsv.Row last = metrics.rows().get(metrics.rows().size() - 1);
    b.append(Html.table(List.of("figure", "value"), List.of(
        List.of("rows logged", Integer.toString(sum.rows())),
        List.of("last step", Long.toString(sum.lastStep())),
        List.of("first logged loss", fmt(sum.firstLoss())),
        List.of("last logged loss", fmt(sum.lastLoss())),
        List.of("lowest logged loss", fmt(sum.minLoss())),
        List.of("last learning rate", fmt(last.lr())),
        List.of("last gradient norm", fmt(last.gradNorm())),
        List.of("images/s (last session)", fmt(sum.lastImagesPerSecond())),
        List.of("total training time", duration(sum.totalSeconds())),
        List.of("sessions (resumes + 1)", Integer.toString(sum.sessions())))));
    List<List<String>> tail = new ArrayList<>();
    for (MetricsCsv.Row r : metrics.rows().subList(Math.max(0, metrics.rows().size() - 5), metrics.rows().size())) {
      tail.add(List.of(Long.toString(r.step()), fmt(r.loss()), fmt(r.lr()), fmt(r.gradNorm()),
          fmt(r.imagesPerSecond()), fmt(r.elapsedSeconds())));
    }
    b.append("<p class=\"sub\">Last rows of metrics.csv:</p>\n")
        .append(Html.table(List.of("step", "loss", "lr", "grad_norm", "images_per_s", "elapsed_s"), tail));
  }

  private static void checkpoints(StringBuilder b, Path runDir) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    for (Path p : files(runDir.resolve(RunLayout.CHECKPOINTS))) {
      Matcher m = STEP_FILE.matcher(p.getFileName().toString());
      if (m.matches() && p.getFileName().toString().endsWith(".safetensors")) {
        rows.add(List.of(RunLayout.CHECKPOINTS + "/" + p.getFileName(), m.group(1), size(p),
            TIME.format(Files.getLastModifiedTime(p).toInstant())));
      }
    }
    Path weights = runDir.resolve(RunLayout.WEIGHTS);
    if (Files.isRegularFile(weights)) {
      rows.add(List.of(RunLayout.WEIGHTS + " (EMA weights)", "last", size(weights),
          TIME.format(Files.getLastModifiedTime(weights).toInstant())));
    }
    if (rows.isEmpty()) {
      b.append("<p class=\"missing\">No checkpoints.</p>\n");
    } else {
      b.append(Html.table(List.of("file", "step", "size", "written"), rows));
    }
  }

  /** Flattens a JSON object into (dotted key, value) rows; arrays print as [a, b]. */
  static void flatten(String prefix, JsonNode node, List<List<String>> rows) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), rows);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(n -> items.add(n.isValueNode() ? n.asText() : n.toString()));
      rows.add(List.of(prefix, "[" + String.join(", ", items) + "]"));
    } else {
      rows.add(List.of(prefix, node.asText()));
    }
  }

  /** Regular files of {@code dir} sorted by name; empty when it does not exist. */
  private static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }

  private static String size(Path p) throws IOException {
    double bytes = Files.size(p);
    return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", bytes / (1 << 20))
        : String.format(Locale.ROOT, "%.1f kB", bytes / 1024);
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    return a != 0 && (a < 1e-3 || a >= 1e6) ? String.format(Locale.ROOT, "%.3e", v)
        : String.format(Locale.ROOT, "%.4g", v);
  }

  /** "42 s", "10 min 05 s" or "2 h 03 min". */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
  }

  private static final String CSS = """
      body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222;
             background: #fafafa; max-width: 1140px; }
      h1 { font-size: 26px; margin: 0 0 4px 0; }
      h2 { font-size: 19px; margin: 28px 0 10px 0; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
      .sub { color: #666; font-size: 13px; margin: 4px 0 12px 0; }
      .missing { color: #8a6d3b; background: #fcf8e3; padding: 8px 12px; border-radius: 4px; }
      .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }
      .c { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
      .k { font-size: 12px; color: #777; text-transform: uppercase; letter-spacing: .04em; }
      .v { font-size: 20px; font-weight: bold; color: #1f4e79; }
      img { image-rendering: pixelated; border: 1px solid #ddd; background: #fff; }
      img.plot { max-width: 100%; }
      img.strip { max-width: 100%; }
      .grids { display: flex; flex-wrap: wrap; gap: 12px; }
      figure { margin: 0 0 12px 0; display: inline-block; }
      figure.wide { display: block; }
      figcaption { font-size: 12px; color: #555; text-align: center; }
      figure.wide figcaption { text-align: left; }
      table { border-collapse: collapse; background: #fff; font-size: 13px; margin-bottom: 10px; }
      th, td { border: 1px solid #e0e0e0; padding: 4px 10px; text-align: left; }
      th { background: #f0f3f7; }
      td:nth-child(2) { font-family: "DejaVu Sans Mono", monospace; }
      pre.card-text { background: #fff; border: 1px solid #e0e0e0; padding: 10px; white-space: pre-wrap; }
      footer { margin-top: 30px; font-size: 12px; color: #888; }
      """;
}
