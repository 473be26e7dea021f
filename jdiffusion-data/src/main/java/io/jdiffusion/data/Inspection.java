package io.jdiffusion.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A readable summary of a dataset, as printed by {@code jdiffusion data inspect}: size, shape,
 * per-channel mean and standard deviation, images per class; and a choice of example images for a
 * preview grid, one row per class.
 */
public final class Inspection {
  /** Most classes shown in the example grid (one row each). */
  public static final int MAX_GRID_CLASSES = 20;

  private final ImageDataset data;
  private final DatasetStats stats;

  private Inspection(ImageDataset data, DatasetStats stats) {
    this.data = data;
    this.stats = stats;
  }

  /** Reads the whole dataset once for its statistics. */
  public static Inspection of(ImageDataset data) {
    return new Inspection(data, DatasetStats.of(data));
  }

  /** The statistics. */
  public DatasetStats stats() {
    return stats;
  }

  /** The summary table, one line per entry. */
  public List<String> table() {
    List<String> lines = new ArrayList<>();
    String shape = data.channels() + "x" + data.height() + "x" + data.width();
    lines.add("dataset  " + data.describe());
    lines.add("images   " + data.size() + " of " + shape + " (channels x height x width), values in [0, 1]");
    lines.add("channel    mean     std");
    String[] names = data.channels() == 1 ? new String[] {"grey"} : new String[] {"R", "G", "B"};
    for (int c = 0; c < data.channels(); c++) {
      lines.add(String.format(Locale.ROOT, "  %-6s %7.4f %7.4f", names[c], stats.mean()[c], stats.std()[c]));
    }
    if (data.numClasses() == 0) {
      lines.add("classes  none (unlabelled)");
      return lines;
    }
    int width = Math.max(5, data.classNames().stream().mapToInt(String::length).max().orElse(5));
    lines.add(String.format(Locale.ROOT, "class  %-" + width + "s  %7s  %6s", "name", "images", "share"));
    for (int k = 0; k < data.numClasses(); k++) {
      int n = stats.classCounts()[k];
      lines.add(String.format(Locale.ROOT, "  %3d  %-" + width + "s  %7d  %5.1f%%", k, data.classNames().get(k), n,
          100.0 * n / Math.max(1, data.size())));
    }
    if (stats.unlabelled() > 0) {
      lines.add(String.format(Locale.ROOT, "  %3s  %-" + width + "s  %7d", "-", "(no label)", stats.unlabelled()));
    }
    return lines;
  }

  /**
   * Example images for a grid of {@link #gridColumns} columns: for a labelled set, one row per
   * class (the first {@link #MAX_GRID_CLASSES}) holding {@code perClass} of its images spread
   * evenly through it, mid grey where a class has fewer; for an unlabelled set, {@code perClass}
   * rows of {@code perClass} images spread evenly through the set.
   *
   * @return the images back to back, {@link ImageDataset#imageSize()} floats each
   */
  public float[] examples(int perClass) {
    if (perClass < 1) {
      throw new IllegalArgumentException("examples per class must be >= 1, got " + perClass);
    }
    List<int[]> rows = new ArrayList<>();
    if (data.numClasses() == 0) {
      int n = Math.min(perClass * perClass, data.size());
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = (int) ((long) i * data.size() / n);
      }
      rows.add(all);
    } else {
      int classes = Math.min(MAX_GRID_CLASSES, data.numClasses());
      List<List<Integer>> members = new ArrayList<>();
      for (int k = 0; k < classes; k++) {
        members.add(new ArrayList<>());
      }
      for (int i = 0; i < data.size(); i++) {
        int label = data.label(i);
        if (label >= 0 && label < classes) {
          members.get(label).add(i);
        }
      }
      for (List<Integer> m : members) {
        int[] row = new int[perClass];
        Arrays.fill(row, -1);
        int take = Math.min(perClass, m.size());
        for (int j = 0; j < take; j++) {
          row[j] = m.get((int) ((long) j * m.size() / take));
        }
        rows.add(row);
      }
    }
    int per = data.imageSize();
    int count = rows.stream().mapToInt(r -> r.length).sum();
    float[] out = new float[count * per];
    int k = 0;
    for (int[] row : rows) {
      for (int index : row) {
        if (index < 0) {
          Arrays.fill(out, k * per, (k + 1) * per, 0.5f);
        } else {
          data.read(index, out, k * per);
        }
        k++;
      }
    }
    return out;
  }

  /** Columns of the example grid for {@code perClass} examples per class. */
  public int gridColumns(int perClass) {
    return data.numClasses() == 0 ? Math.min(perClass, Math.max(1, data.size())) : perClass;
  }

  /** Number of images {@link #examples} returns. */
  public int exampleCount(int perClass) {
    if (data.numClasses() == 0) {
      return Math.min(perClass * perClass, data.size());
    }
    return Math.min(MAX_GRID_CLASSES, data.numClasses()) * perClass;
  }
}
