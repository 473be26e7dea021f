package io.jdiffusion.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Twemoji (Twitter's emoji, graphics CC-BY 4.0) at 64x64, from the npm package {@code
 * emoji-datasource-twitter@16.0.0}: {@code img/twitter/64/*.png} (RGBA or palette PNGs, composited
 * on white) labelled with their Unicode category from the package's {@code emoji.json}.
 *
 * <p>{@code emoji.json} is an array of entries with {@code "image"} (a file name) and {@code
 * "category"} (e.g. "Smileys &amp; Emotion"), and optional {@code "skin_variations"} whose images
 * share their parent's category. The classes are the categories present, sorted by name (ten in
 * version 16.0.0, "Component" being the five skin-tone swatches). PNGs that emoji.json does not
 * list, cannot be decoded, or are smaller than {@link ImageFolder#defaultMinSide} are skipped with
 * one warning that counts each kind. The set has no train/test split: all 3786 images of version
 * 16.0.0 are one set, meant for generation.
 *
 * <p>{@link #load} accepts the unpacked package folder, or its {@code package/} parent. Images are
 * decoded once at load time, at the requested size (64 keeps them as they are).
 */
public final class Emoji extends ByteImageDataset {
  /** npm package that holds the images. */
  public static final String NPM_PACKAGE = "emoji-datasource-twitter@16.0.0";

  /** Where the 64x64 PNGs are, relative to the package folder. */
  public static final String IMAGE_DIR = "img/twitter/64";

  /** Native image side. */
  public static final int SIDE = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path root;
  private final int skipped;

  private Emoji(Path root, int size, int channels, byte[] pixels, int[] labels, List<String> classNames, int skipped) {
    super(pixels, labels, channels, size, size, classNames);
    this.root = root;
    this.skipped = skipped;
  }

  /**
   * Loads every listed 64x64 emoji under {@code dir}, converted to {@code channels x size x size}.
   *
   * @throws DataException if the folder, emoji.json or the image folder is missing, emoji.json is
   *     malformed, or no image can be used
   */
  public static Emoji load(Path dir, int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new DataException(dir + ": image channels must be 1 or 3, got " + channels);
    }
    if (size <= 0) {
      throw new DataException(dir + ": image size must be positive, got " + size);
    }
    Path base = packageFolder(dir);
    Map<String, String> categories = categories(base.resolve("emoji.json"));
    Path images = base.resolve(IMAGE_DIR);
    List<Path> files = pngs(images);

    List<ImageStore.Skip> skipped = new ArrayList<>();
    List<Path> listed = new ArrayList<>();
    for (Path f : files) {
      if (categories.containsKey(f.getFileName().toString())) {
        listed.add(f);
      } else {
        skipped.add(new ImageStore.Skip(
            images.relativize(f).toString(), "not listed in emoji.json", ImageStore.Kind.UNLABELLED));
      }
    }
    ImageStore.Result decoded = ImageStore.decode(images, listed, size, channels, ImageFolder.defaultMinSide(size));
    skipped.addAll(decoded.skipped());
    ImageStore.warn(images, skipped);
    int n = decoded.kept().length;
    if (n == 0) {
      throw new DataException(
          images + ": no usable emoji images (" + files.size() + " PNG file(s), e.g. "
              + (skipped.isEmpty() ? "none" : skipped.get(0)) + ")");
    }
    TreeSet<String> names = new TreeSet<>();
    String[] category = new String[n];
    for (int k = 0; k < n; k++) {
      category[k] = categories.get(listed.get(decoded.kept()[k]).getFileName().toString());
      names.add(category[k]);
    }
    List<String> classNames = List.copyOf(names);
    int[] labels = new int[n];
    for (int k = 0; k < n; k++) {
      labels[k] = Collections.binarySearch(classNames, category[k]);
    }
    return new Emoji(dir, size, channels, decoded.pixels(), labels, classNames, skipped.size());
  }

  /** The folder holding emoji.json: {@code dir} or {@code dir/package}. */
  static Path packageFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          "emoji folder " + dir + " not found: fetch it with `jdiffusion data fetch emoji`"
              + " (npm pack " + NPM_PACKAGE + ", unpacked)");
    }
    for (Path base : new Path[] {dir, dir.resolve("package")}) {
      if (Files.isRegularFile(base.resolve("emoji.json"))) {
        return base;
      }
    }
    throw new DataException(
        dir + ": no emoji.json (looked in it and in package/); fetch the emoji set with"
            + " `jdiffusion data fetch emoji`");
  }

  /** Image file name -> category, from emoji.json (skin variations included). */
  static Map<String, String> categories(Path file) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = MAPPER.readTree(in);
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": file not found", e);
    } catch (JsonProcessingException e) {
      throw new DataException(file + ": " + JsonNumbers.problem(e), e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + oneLine(e.getMessage()) + ")", e);
    }
    if (root == null || !root.isArray()) {
      throw new DataException(file + ": expected a JSON array of emoji entries");
    }
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode e = root.get(i);
      String image = text(e, "image", file, i);
      String category = text(e, "category", file, i);
      map.put(image, category);
      JsonNode skins = e.get("skin_variations");
      if (skins != null && !skins.isNull()) {
        if (!skins.isObject()) {
          throw new DataException(file + ": entry " + i + " (" + image + "): \"skin_variations\" is not an object");
        }
        for (JsonNode v : skins) {
          map.put(text(v, "image", file, i), category);
        }
      }
    }
    if (map.isEmpty()) {
      throw new DataException(file + ": lists no emoji");
    }
    return map;
  }

  private static String text(JsonNode node, String field, Path file, int entry) {
    JsonNode v = node == null || !node.isObject() ? null : node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new DataException(file + ": entry " + entry + " has no \"" + field + "\" string");
    }
    return v.asText();
  }

  /** The .png files directly in {@code dir}, sorted by name. */
  private static List<Path> pngs(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir + ": emoji image folder not found (the 64x64 PNGs of " + NPM_PACKAGE + ")");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".png") && !name.startsWith(".") && Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      throw new DataException(dir + ": cannot list (" + oneLine(e.getMessage()) + ")", e);
    }
    if (files.isEmpty()) {
      throw new DataException(dir + ": no PNG images");
    }
    files.sort(null);
    return files;
  }

  private static String oneLine(String s) {
    return s == null ? "no detail" : s.strip().replaceAll("\\s+", " ");
  }

  /** Number of files left out (unlisted, unreadable or too small). */
  public int skipped() {
    return skipped;
  }

  @Override
  public String describe() {
    String skips = skipped == 0 ? "" : ", " + skipped + " skipped";
    return "emoji (npm " + NPM_PACKAGE + ", Twemoji CC-BY 4.0) from " + root + " (" + sizeAndShape() + ", "
        + numClasses() + " categories" + skips + ")";
  }
}
