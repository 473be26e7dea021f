package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.nn.conditional.ConditionalUNetConfig;
import io.jdiffusion.store.StoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * diffusers' {@code UNet2DConditionModel} config.json (unet_2d_condition.py's {@code __init__}
 * arguments) read into a {@link ConditionalUNetConfig}, with diffusers' defaults for missing keys.
 *
 * <p>What it computes: the Stable Diffusion 1.x / 2.x / turbo / inpainting and BK-SDM layouts
 * (CrossAttnDownBlock2D, DownBlock2D, UNetMidBlock2DCrossAttn or none, CrossAttnUpBlock2D, UpBlock2D),
 * with per-block lists where diffusers allows them. Every key that would build a different network
 * when set (class embeddings, SDXL's addition embeddings, encoder_hid_dim, dual cross-attention,
 * scale-shift ResBlocks, other kernels or time embeddings, ...) is refused with a one-line message
 * naming the key and its value; informational keys (sample_size, _diffusers_version, ...) and keys
 * that only the block types jdiffusion does not build read are accepted; a key diffusers does not
 * know is warned about.
 *
 * <p>Note diffusers' naming quirk: {@code attention_head_dim} is the number of heads of each block
 * ({@code num_attention_heads = num_attention_heads or attention_head_dim}; num_attention_heads itself
 * is refused by diffusers and here).
 */
public final class UNet2DConditionConfig {
  /** The class name diffusers writes. */
  public static final String CLASS = "UNet2DConditionModel";

  /** Keys that change nothing jdiffusion computes, or only for block types it refuses anyway. */
  private static final Set<String> INFORMATIONAL = Set.of("sample_size", "dropout", "mid_block_only_cross_attention",
      "resnet_skip_time_act", "resnet_out_scale_factor", "cross_attention_norm", "projection_class_embeddings_input_dim",
      "addition_time_embed_dim", "addition_embed_type_num_heads");

  /** The default "null" of the keys below. */
  private static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** Keys that build a different network unless they hold their default (null, false or the named value). */
  private static final Map<String, Object> MUST_BE_DEFAULT = Map.ofEntries(
      Map.entry("class_embed_type", NULL), Map.entry("num_class_embeds", NULL),
      Map.entry("addition_embed_type", NULL), Map.entry("encoder_hid_dim", NULL),
      Map.entry("encoder_hid_dim_type", NULL), Map.entry("time_embedding_act_fn", NULL),
      Map.entry("timestep_post_act", NULL), Map.entry("time_cond_proj_dim", NULL),
      Map.entry("num_attention_heads", NULL), Map.entry("reverse_transformer_layers_per_block", NULL),
      Map.entry("dual_cross_attention", false), Map.entry("class_embeddings_concat", false),
      Map.entry("resnet_time_scale_shift", "default"), Map.entry("attention_type", "default"),
      Map.entry("time_embedding_type", "positional"), Map.entry("conv_in_kernel", 3),
      Map.entry("conv_out_kernel", 3));

  /** Keys read into the config. */
  private static final Set<String> READ = Set.of("in_channels", "out_channels", "center_input_sample",
      "flip_sin_to_cos", "freq_shift", "down_block_types", "mid_block_type", "up_block_types", "only_cross_attention",
      "block_out_channels", "layers_per_block", "downsample_padding", "mid_block_scale_factor", "act_fn",
      "norm_num_groups", "norm_eps", "cross_attention_dim", "transformer_layers_per_block", "attention_head_dim",
      "use_linear_projection", "upcast_attention", "time_embedding_dim");

  private UNet2DConditionConfig() {}

  /**
   * The network a config.json describes.
   *
   * @param file names the config in errors and warnings
   * @param warn receives one line per key that UNet2DConditionModel does not have
   * @throws StoreException naming the key, when the config asks for a network jdiffusion does not compute
   *     or is inconsistent
   */
  public static ConditionalUNetConfig read(JsonNode c, String file, Consumer<String> warn) {
    if (c == null || !c.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    String cls = c.path("_class_name").asText(CLASS);
    if (!cls.equals(CLASS)) {
      throw new StoreException(file + ": _class_name " + cls + " is not a " + CLASS);
    }
    c.fieldNames().forEachRemaining(k -> {
      if (!k.startsWith("_") && !READ.contains(k) && !INFORMATIONAL.contains(k) && !MUST_BE_DEFAULT.containsKey(k)) {
        warn.accept("warning: " + file + ": unknown key '" + k + "' ignored (not a " + CLASS + " option)");
      }
    });
    for (var e : MUST_BE_DEFAULT.entrySet()) {
      JsonNode n = c.get(e.getKey());
      if (n != null && !holds(n, e.getValue())) {
        throw new StoreException(file + ": " + e.getKey() + " " + n + " is not supported (jdiffusion computes "
            + e.getKey() + " " + e.getValue() + ")");
      }
    }
    ConfigReader r = new ConfigReader(c, file);
    String act = r.text("act_fn", "silu");
    if (!act.equals("silu") && !act.equals("swish")) {
      throw r.refuse("act_fn", act, "silu");
    }
    if (c.has("norm_num_groups") && c.get("norm_num_groups").isNull()) {
      throw new StoreException(file + ": norm_num_groups null is not supported (jdiffusion computes GroupNorm blocks)");
    }
    List<Integer> channels = r.ints("block_out_channels", List.of(320, 640, 1280, 1280));
    int levels = channels.size();
    List<String> downTypes = r.texts("down_block_types",
        List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
    List<String> upTypes = r.texts("up_block_types",
        List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
    if (downTypes.size() != levels || upTypes.size() != levels) {
      throw new StoreException(file + ": " + levels + " block_out_channels, " + downTypes.size()
          + " down_block_types and " + upTypes.size() + " up_block_types (they must be as many)");
    }
    List<Boolean> downAttn = new ArrayList<>();
    List<Boolean> upAttn = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      downAttn.add(crossAttention("down_block_types", downTypes.get(i), "Down", file));
      upAttn.add(crossAttention("up_block_types", upTypes.get(i), "Up", file));
    }
    boolean mid = true;
    if (c.has("mid_block_type")) {
      JsonNode m = c.get("mid_block_type");
      if (m.isNull()) {
        mid = false;
      } else if (!m.asText().equals("UNetMidBlock2DCrossAttn")) {
        throw new StoreException(file + ": mid_block_type " + m + " is not supported (jdiffusion computes"
            + " UNetMidBlock2DCrossAttn or null)");
      }
    }
    List<Integer> crossDims = perLevel(c, file, "cross_attention_dim", 1280, levels);
    if (Set.copyOf(crossDims).size() != 1) {
      throw new StoreException(file + ": cross_attention_dim " + c.get("cross_attention_dim")
          + " differs between blocks, which only an encoder_hid_proj model can feed (not supported)");
    }
    int padding = r.integer("downsample_padding", 1);
    if (padding != 0 && padding != 1) {
      throw r.refuse("downsample_padding", String.valueOf(padding), "0 or 1");
    }
    try {
      return new ConditionalUNetConfig(
          r.integer("in_channels", 4),
          r.integer("out_channels", 4),
          channels,
          downAttn,
          upAttn,
          perLevel(c, file, "layers_per_block", 2, levels),
          perLevel(c, file, "transformer_layers_per_block", 1, levels),
          perLevel(c, file, "attention_head_dim", 8, levels),
          crossDims.get(0),
          perLevelBool(c, file, "only_cross_attention", levels),
          mid,
          r.bool("use_linear_projection", false),
          r.bool("upcast_attention", false),
          r.integer("norm_num_groups", 32),
          r.number("norm_eps", 1e-5),
          r.bool("flip_sin_to_cos", true),
          r.integer("freq_shift", 0),
          r.integer("time_embedding_dim", 4 * channels.get(0)),
          padding,
          r.number("mid_block_scale_factor", 1.0),
          r.bool("center_input_sample", false));
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
  }

  /** Whether {@code n} holds the default {@code d} (null, a boolean, a string or an integer). */
  private static boolean holds(JsonNode n, Object d) {
    if (d == NULL) {
      return n.isNull();
    }
    if (d instanceof Boolean b) {
      return n.isNull() || (n.isBoolean() && n.asBoolean() == b);
    }
    if (d instanceof Integer i) {
      return n.isNull() || (n.isIntegralNumber() && n.asInt() == i);
    }
    return n.isNull() || (n.isTextual() && n.asText().equals(d));
  }

  /** CrossAttn{Down,Up}Block2D: true, {Down,Up}Block2D: false (diffusers strips a "UNetRes" prefix); else refused. */
  private static boolean crossAttention(String key, String type, String way, String file) {
    String t = type.startsWith("UNetRes") ? type.substring(7) : type;
    if (t.equals(way + "Block2D")) {
      return false;
    }
    if (t.equals("CrossAttn" + way + "Block2D")) {
      return true;
    }
    throw new StoreException(file + ": " + key + " has " + type + ", which is not supported (jdiffusion computes CrossAttn"
        + way + "Block2D and " + way + "Block2D)");
  }

  /** An integer key that may also be one integer per block (diffusers' int | tuple[int]). */
  private static List<Integer> perLevel(JsonNode c, String file, String key, int dflt, int levels) {
    JsonNode n = c.get(key);
    if (n == null) {
      return Collections.nCopies(levels, dflt);
    }
    if (n.isNull()) { // diffusers' blocks cannot be built with it either
      throw new StoreException(file + ": " + key + " null is not supported (an integer or one integer per block)");
    }
    if (n.isIntegralNumber() && n.canConvertToInt()) {
      return Collections.nCopies(levels, n.asInt());
    }
    List<Integer> out = new ArrayList<>();
    if (n.isArray()) {
      for (JsonNode e : n) {
        if (!e.isIntegralNumber() || !e.canConvertToInt()) {
          throw new StoreException(file + ": " + key + " " + n + " is not supported (an integer or one integer per block)");
        }
        out.add(e.asInt());
      }
    }
    if (out.size() != levels) {
      throw new StoreException(file + ": " + key + " " + n + " must be an integer or a list of " + levels
          + " integers (one per block)");
    }
    return out;
  }

  /** only_cross_attention: a boolean or one per block. */
  private static List<Boolean> perLevelBool(JsonNode c, String file, String key, int levels) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return Collections.nCopies(levels, false);
    }
    if (n.isBoolean()) {
      return Collections.nCopies(levels, n.asBoolean());
    }
    List<Boolean> out = new ArrayList<>();
    if (n.isArray()) {
      for (JsonNode e : n) {
        if (!e.isBoolean()) {
          throw new StoreException(file + ": " + key + " " + n + " must be true, false or one boolean per block");
        }
        out.add(e.asBoolean());
      }
    }
    if (out.size() != levels) {
      throw new StoreException(file + ": " + key + " " + n + " must be true, false or a list of " + levels + " booleans");
    }
    return out;
  }
}
