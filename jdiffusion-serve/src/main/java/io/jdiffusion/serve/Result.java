package io.jdiffusion.serve;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.image.Png;
import io.jdiffusion.pipeline.Images;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished request: its images and where they came from.
 *
 * @param images the images in [0, 1]
 * @param provenance model, sampler, steps, eta, guidance, class, seed, tool version and the
 *     operation's own settings, in that order; null values are left out of PNG text
 * @param seeded whether image i was drawn from seed + i (false for interpolation's deterministic frames)
 * @param columns the grid's columns
 */
record Result(Images images, Map<String, Object> provenance, boolean seeded, int columns) {

  /** Image i as a PNG of its own size, with its provenance (and its own seed) as tEXt chunks. */
  byte[] png(int i) {
    return Png.encode(images.image(i), text(i));
  }

  /**
   * The images as the command line writes them: one image alone at its size, several as the grid of
   * {@code sample -o} (square-ish, 2-pixel grey padding, small images doubled); provenance as tEXt.
   */
  byte[] gridPng() {
    if (images.count() == 1) {
      return png(0);
    }
    return Png.encode(ImageGrid.toImage(images.pixels(), images.count(), images.channels(), images.height(),
        images.width(), columns, ImageGrid.DEFAULT_PADDING, ImageGrid.upscaleFor(images.height())), text(-1));
  }

  /** The JSON body: provenance, and every image as base64 PNG with its seed. */
  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("provenance", provenance);
    m.put("width", images.width());
    m.put("height", images.height());
    m.put("channels", images.channels());
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < images.count(); i++) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("index", i);
      if (seeded) {
        one.put("seed", seed(i));
      }
      one.put("png", Base64.getEncoder().encodeToString(png(i)));
      list.add(one);
    }
    m.put("images", list);
    return m;
  }

  private long seed(int i) {
    return ((Number) provenance.get("seed")).longValue() + i;
  }

  /**
   * PNG text in the command line's layout ({@link io.jdiffusion.pipeline.Provenance}): Software, a
   * one-line Description and a "jdiffusion" JSON chunk with every provenance value; image i >= 0 of a
   * seeded result carries its own seed and index.
   */
  private Map<String, String> text(int i) {
    Map<String, Object> json = new LinkedHashMap<>(provenance);
    json.remove("version");
    if (i >= 0 && seeded) {
      json.put("seed", seed(i));
    }
    if (i >= 0) {
      json.put("index", i);
    }
    json.put("tool", provenance.get("version"));
    Map<String, String> t = new LinkedHashMap<>();
    t.put("Software", String.valueOf(provenance.get("version")));
    t.put("Description", (provenance.get("prompt") != null ? "\"" + provenance.get("prompt") + "\""
        + (provenance.get("negative_prompt") != null ? " (negative: \"" + provenance.get("negative_prompt") + "\")" : "")
        + ", " + provenance.get("width") + "x" + provenance.get("height") + ", guidance " + provenance.get("guidance")
        + "; " : "") + provenance.get("op") + " with " + provenance.get("sampler") + ", " + provenance.get("steps")
        + " steps" + (json.get("eta") != null ? ", eta " + json.get("eta") : "")
        + (json.get("class") != null ? ", class " + json.get("class") + ", guidance " + json.get("guidance") : "")
        + (seeded ? ", seed " + json.get("seed") + (i < 0 ? " (image i: seed + i)" : "") : "")
        + "; model " + provenance.get("model") + " (weights sha256 "
        + String.valueOf(provenance.get("model_sha256")).substring(0, 12) + ")");
    t.put("jdiffusion", io.jdiffusion.store.Json.compact(json));
    return t;
  }
}
