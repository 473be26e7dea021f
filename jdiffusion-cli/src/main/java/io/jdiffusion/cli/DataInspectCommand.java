package io.jdiffusion.cli;

import io.jdiffusion.data.Datasets;
import io.jdiffusion.data.ImageDataset;
import io.jdiffusion.data.Inspection;
import io.jdiffusion.image.ImageGrid;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code data inspect NAME|PATH}: statistics table and a PNG grid of examples. */
@Command(name = "inspect",
    header = "Print a dataset's size, shape and statistics, and write a grid of examples.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion data inspect fashion-mnist-subset --out examples.png"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = "Print a dataset's size, shape, channel mean/std and images per class, and write a PNG grid of"
        + " examples (one row per class).")
public final class DataInspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME|PATH",
      description = "A dataset spec as for train --data: mnist, cifar10-test, emoji, fashion-mnist, NAME:DIR, or a folder.")
  String spec;

  @Option(names = {"-o", "--out"}, description = "Grid PNG (default: inspect-NAME.png).")
  Path out;

  @Option(names = "--image-size", description = "Load images at this size (default: the dataset's own, 32 for folders).")
  Integer size;

  @Option(names = "--channels", description = "1 grey or 3 RGB (default: the dataset's own).")
  Integer channels;

  @Option(names = "--per-class", description = "Examples per class in the grid (default: ${DEFAULT-VALUE}).",
      defaultValue = "8")
  int perClass;

  @Override
  public Integer call() {
    if (perClass < 1 || perClass > 64) {
      throw new IllegalArgumentException("--per-class must be in 1..64, got " + perClass);
    }
    Path png = Outputs.png(out != null ? out : Path.of("inspect-" + fileName(spec) + ".png"), "--out"); // before loading
    Datasets.Shape shape = Datasets.nativeShape(spec);
    ImageDataset data = Datasets.open(spec, size != null ? size : shape.size(),
        channels != null ? channels : shape.channels());
    Inspection ins = Inspection.of(data);
    ins.table().forEach(System.out::println);
    int n = ins.exampleCount(perClass);
    int cols = ins.gridColumns(perClass);
    int side = data.height();
    ImageGrid.writeGrid(png, ins.examples(perClass), n, data.channels(), side, data.width(), cols,
        ImageGrid.DEFAULT_PADDING, ImageGrid.upscaleFor(side));
    System.out.println("grid     " + png + " (" + (n + cols - 1) / cols + " rows x " + cols + " examples)");
    return ExitCode.OK;
  }

  /** A file-name-safe short name for the spec: the dataset name, or the folder's name. */
  static String fileName(String spec) {
    String s = spec == null || spec.isBlank() ? Datasets.DEFAULT_SPEC : spec.strip();
    int colon = s.indexOf(':');
    if (colon > 0 && s.substring(0, colon).matches("[a-z0-9-]+")) {
      s = s.substring(0, colon);
    } else {
      Path name = Path.of(s).toAbsolutePath().normalize().getFileName();
      s = name == null ? "data" : name.toString();
    }
    String safe = s.replaceAll("[^A-Za-z0-9._-]", "-");
    return safe.isEmpty() ? "data" : safe;
  }
}
