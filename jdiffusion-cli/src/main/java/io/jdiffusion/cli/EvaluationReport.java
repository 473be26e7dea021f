package io.jdiffusion.cli;

import io.jdiffusion.eval.QualityMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of {@code evaluate}: a text table where every metric names its extractor
 * ("FID(fashion-classifier)"), and the same numbers as a JSON-ready map for metrics.json.
 */
final class EvaluationReport {
  /**
   * One extractor's results against the reference, and optionally the floor: the same metrics
   * between the reference (train) set and the test split, whose IS is the test split's own.
   */
  record Entry(String extractor, String fingerprint, int dim, QualityMetrics generated, QualityMetrics floor) {}

  private final List<Entry> entries = new ArrayList<>();

  void add(Entry e) {
    entries.add(e);
  }

  /** The table; the floor column only when a floor was computed. */
  String table() {
    boolean floor = entries.stream().anyMatch(e -> e.floor() != null);
    List<String[]> rows = new ArrayList<>();
    rows.add(floor ? new String[] {"metric", "value", "floor (train vs test)"} : new String[] {"metric", "value"});
    for (Entry e : entries) {
      String x = "(" + e.extractor() + ")";
      QualityMetrics g = e.generated();
      QualityMetrics f = e.floor();
      rows.add(row(floor, "FID" + x, num(g.fid().value()), f == null ? "" : num(f.fid().value())));
      rows.add(row(floor, "KID" + x, pm(g.kid().mean(), g.kid().std()), f == null ? "" : pm(f.kid().mean(), f.kid().std())));
      if (g.inceptionScore() != null) {
        rows.add(row(floor, "IS" + x, pm(g.inceptionScore().mean(), g.inceptionScore().std()),
            f == null || f.inceptionScore() == null ? ""
                : pm(f.inceptionScore().mean(), f.inceptionScore().std()) + " (test split)"));
      }
      rows.add(row(floor, "precision" + x, num(g.precisionRecall().precision()),
          f == null ? "" : num(f.precisionRecall().precision())));
      rows.add(row(floor, "recall" + x, num(g.precisionRecall().recall()),
          f == null ? "" : num(f.precisionRecall().recall())));
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        sb.append(i == r.length - 1 ? r[i] : String.format(Locale.ROOT, "%-" + (width[i] + 3) + "s", r[i]));
      }
      sb.append(System.lineSeparator());
    }
    return sb.toString();
  }

  private static String[] row(boolean floor, String name, String value, String floorValue) {
    return floor ? new String[] {name, value, floorValue} : new String[] {name, value};
  }

  /** Metrics keyed by their printed names, then per-extractor details. */
  Map<String, Object> json() {
    Map<String, Object> flat = new LinkedHashMap<>();
    Map<String, Object> floorFlat = new LinkedHashMap<>();
    List<Map<String, Object>> details = new ArrayList<>();
    for (Entry e : entries) {
      put(flat, e.extractor(), e.generated());
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("name", e.extractor());
      d.put("fingerprint", e.fingerprint());
      d.put("dim", e.dim());
      d.put("generated", e.generated());
      if (e.floor() != null) {
        put(floorFlat, e.extractor(), e.floor()); // IS here: the test split's
        d.put("floor", e.floor());
      }
      details.add(d);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("metrics", flat);
    if (!floorFlat.isEmpty()) {
      out.put("floor", floorFlat);
    }
    out.put("extractors", details);
    return out;
  }

  private static void put(Map<String, Object> m, String x, QualityMetrics q) {
    m.put("FID(" + x + ")", q.fid().value());
    m.put("KID(" + x + ")", q.kid().mean());
    m.put("KID_std(" + x + ")", q.kid().std());
    if (q.inceptionScore() != null) {
      m.put("IS(" + x + ")", q.inceptionScore().mean());
      m.put("IS_std(" + x + ")", q.inceptionScore().std());
    }
    m.put("precision(" + x + ")", q.precisionRecall().precision());
    m.put("recall(" + x + ")", q.precisionRecall().recall());
  }

  private static String num(double v) {
    double a = Math.abs(v);
    return a != 0 && (a < 1e-3 || a >= 1e5) ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String pm(double mean, double std) {
    return num(mean) + " ± " + num(std);
  }
}
