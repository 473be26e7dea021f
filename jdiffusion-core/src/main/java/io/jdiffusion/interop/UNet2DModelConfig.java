package io.jdiffusion.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * diffusers' {@code UNet2DModel} config.json, both ways: each key maps onto one {@link UNetConfig}
 * field, and a value jdiffusion's U-Net cannot compute (a block type, an activation, a time embedding
 * type, a class embedding type) is refused by its key and value instead of building a different
 * network.
 *
 * <p>jdiffusion's own "no label" class row is written as num_class_embeds = classes + 1 with the
 * private key {@value #NULL_CLASS_KEY} (diffusers ignores keys that start with "_"), so an export
 * imports back as the same model.
 */
public final class UNet2DModelConfig {
  /** Private config key that marks a last class row meaning "no label" (jdiffusion's classifier-free guidance). */
  public static final String NULL_CLASS_KEY = "_jdiffusion_null_class";
  /** The label range given to class_embed_type "timestep" models without num_class_embeds (labels are numbers). */
  static final int TIMESTEP_CLASSES = 1000;

  private static final Set<String> KNOWN = Set.of("sample_size", "in_channels", "out_channels", "center_input_sample",
      "time_embedding_type", "time_embedding_dim", "freq_shift", "flip_sin_to_cos", "down_block_types",
      "mid_block_type", "up_block_types", "block_out_channels", "layers_per_block", "mid_block_scale_factor",
      "downsample_padding", "downsample_type", "upsample_type", "dropout", "act_fn", "attention_head_dim",
      "norm_num_groups", "attn_norm_num_groups", "norm_eps", "resnet_time_scale_shift", "add_attention",
      "class_embed_type", "num_class_embeds", "num_train_timesteps");

  private UNet2DModelConfig() {}

  /**
   * The U-Net a config.json describes.
   *
   * @param file names the config in errors and warnings
   * @param warn receives one line per key that is not UNet2DModel's
   * @throws StoreException when a value cannot be computed by jdiffusion's U-Net, named by its key
   */
  public static UNetConfig read(JsonNode c, String file, Consumer<String> warn) {
    if (c == null || !c.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    String cls = c.path("_class_name").asText("UNet2DModel");
    if (!cls.equals("UNet2DModel")) {
      throw new StoreException(file + ": _class_name " + cls + " is not a UNet2DModel (the only diffusers model"
          + " jdiffusion computes)");
    }
    c.fieldNames().forEachRemaining(k -> {
      if (!k.startsWith("_") && !KNOWN.contains(k)) {
        warn.accept("warning: " + file + ": unknown key '" + k + "' ignored (written by a newer diffusers?)");
      }
    });
    ConfigReader r = new ConfigReader(c, file);
    r.only("time_embedding_type", "positional", "positional");
    r.only("downsample_type", "conv", "conv");
    r.only("upsample_type", "conv", "conv");
    String act = r.text("act_fn", "silu");
    if (!act.equals("silu") && !act.equals("swish")) {
      throw r.refuse("act_fn", act, "silu");
    }
    List<Integer> channels = r.ints("block_out_channels", List.of(224, 448, 672, 896));
    List<String> downTypes = r.texts("down_block_types",
        List.of("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"));
    List<String> upTypes = r.texts("up_block_types",
        List.of("AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"));
    if (downTypes.size() != channels.size() || upTypes.size() != channels.size()) {
      throw new StoreException(file + ": " + channels.size() + " block_out_channels, " + downTypes.size()
          + " down_block_types and " + upTypes.size() + " up_block_types (they must be as many)");
    }
    int size = sampleSize(c.get("sample_size"), file);
    int padding = r.integer("downsample_padding", 1);
    if (padding != 0 && padding != 1) {
      throw r.refuse("downsample_padding", String.valueOf(padding), "0 or 1");
    }
    List<Integer> resolutions = new ArrayList<>();
    for (int i = 0, res = size; i < channels.size(); i++, res = padding == 1 ? (res + 1) / 2 : res / 2) {
      resolutions.add(res);
    }
    List<Integer> down = new ArrayList<>();
    List<Integer> up = new ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      if (blockHasAttention(downTypes.get(i), "Down", file)) {
        down.add(resolutions.get(i));
      }
      if (blockHasAttention(upTypes.get(channels.size() - 1 - i), "Up", file)) {
        up.add(resolutions.get(i));
      }
    }
    String mid = c.hasNonNull("mid_block_type") || !c.has("mid_block_type") ? r.text("mid_block_type", "UNetMidBlock2D")
        : null;
    if (mid != null && !mid.equals("UNetMidBlock2D")) {
      throw r.refuse("mid_block_type", mid, "UNetMidBlock2D or null");
    }
    String shift = r.text("resnet_time_scale_shift", "default");
    if (!shift.equals("default") && !shift.equals("scale_shift")) {
      throw r.refuse("resnet_time_scale_shift", shift, "default or scale_shift");
    }
    UNetConfig.Builder b = UNetConfig.builder()
        .inChannels(r.integer("in_channels", 3))
        .outChannels(r.integer("out_channels", 3))
        .imageSize(size)
        .levelChannels(channels)
        .numResBlocks(r.integer("layers_per_block", 2))
        .attentionResolutions(down)
        .upAttentionResolutions(up)
        .dropout(r.number("dropout", 0.0))
        .groups(r.integer("norm_num_groups", 32))
        .normEps(r.number("norm_eps", 1e-5))
        .downsamplePadding(padding)
        .flipSinToCos(r.bool("flip_sin_to_cos", true))
        .freqShift(r.integer("freq_shift", 0))
        .timeEmbeddingDim(r.integer("time_embedding_dim", 0))
        .scaleShift(shift.equals("scale_shift"))
        .midBlock(mid != null)
        .midAttention(r.bool("add_attention", true))
        .midBlockScaleFactor(r.number("mid_block_scale_factor", 1.0))
        .midAttentionGroups(r.integer("attn_norm_num_groups", 0))
        .centerInputSample(r.bool("center_input_sample", false));
    if (c.hasNonNull("attention_head_dim") || !c.has("attention_head_dim")) {
      b.headDim(r.integer("attention_head_dim", 8)).heads(1);
    } else {
      b.headDim(0).heads(1); // None: one head as wide as the block
    }
    String classType = c.hasNonNull("class_embed_type") ? r.text("class_embed_type", "") : null;
    Integer classes = c.hasNonNull("num_class_embeds") ? r.integer("num_class_embeds", 0) : null;
    if (classType == null) {
      if (classes != null) {
        boolean nullClass = c.path(NULL_CLASS_KEY).asBoolean(false);
        b.classEmbedding(UNetConfig.ClassEmbedding.TABLE).numClasses(nullClass ? classes - 1 : classes)
            .nullClass(nullClass);
      }
    } else if (classType.equals("timestep")) {
      b.classEmbedding(UNetConfig.ClassEmbedding.TIMESTEP).numClasses(classes != null ? classes : TIMESTEP_CLASSES)
          .nullClass(false);
    } else {
      throw r.refuse("class_embed_type", classType, "null or timestep");
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
  }

  /** Whether a DownBlock2D / AttnDownBlock2D (or Up) has attention; any other type is refused. */
  private static boolean blockHasAttention(String type, String way, String file) {
    String t = type.startsWith("UNetRes") ? type.substring(7) : type;
    if (t.equals(way + "Block2D")) {
      return false;
    }
    if (t.equals("Attn" + way + "Block2D")) {
      return true;
    }
    throw new StoreException(file + ": " + way.toLowerCase(java.util.Locale.ROOT) + "_block_types has " + type
        + "; jdiffusion computes " + way + "Block2D and Attn" + way + "Block2D");
  }

  private static int sampleSize(JsonNode n, String file) {
    if (n == null || n.isNull()) {
      throw new StoreException(file + ": no sample_size (the image size is needed to sample)");
    }
    if (n.isArray() && n.size() == 2 && n.get(0).asInt() == n.get(1).asInt()) {
      return n.get(0).asInt();
    }
    if (!n.canConvertToInt()) {
      throw new StoreException(file + ": sample_size " + n + ": jdiffusion samples square images (one integer)");
    }
    return n.asInt();
  }

  /** The config.json of this U-Net in diffusers' keys, as UNet2DModel.from_pretrained reads it. */
  public static ObjectNode write(UNetConfig u) {
    ObjectNode c = Json.mapper().createObjectNode();
    c.put("_class_name", "UNet2DModel");
    c.put("_diffusers_version", "0.31.0");
    c.put("act_fn", "silu");
    c.put("add_attention", u.midAttention());
    if (u.midAttentionGroups() > 0) {
      c.put("attn_norm_num_groups", u.midAttentionGroups());
    } else {
      c.putNull("attn_norm_num_groups");
    }
    if (u.headDim() > 0) {
      c.put("attention_head_dim", u.headDim());
    } else {
      c.put("attention_head_dim", headDimOfHeads(u));
    }
    ArrayNode ch = c.putArray("block_out_channels");
    u.blockOutChannels().forEach(ch::add);
    c.put("center_input_sample", u.centerInputSample());
    if (u.numClasses() > 0 && u.classEmbedding() == UNetConfig.ClassEmbedding.TIMESTEP) {
      c.put("class_embed_type", "timestep");
    } else {
      c.putNull("class_embed_type");
    }
    ArrayNode down = c.putArray("down_block_types");
    ArrayNode up = c.putArray("up_block_types");
    for (int i = 0; i < u.levels(); i++) {
      down.add(u.attention(i, false) ? "AttnDownBlock2D" : "DownBlock2D");
      int level = u.levels() - 1 - i;
      up.add(u.attention(level, true) ? "AttnUpBlock2D" : "UpBlock2D");
    }
    c.put("downsample_padding", u.downsamplePadding());
    c.put("downsample_type", "conv");
    c.put("dropout", u.dropout());
    c.put("flip_sin_to_cos", u.flipSinToCos());
    c.put("freq_shift", u.freqShift());
    c.put("in_channels", u.inChannels());
    c.put("layers_per_block", u.numResBlocks());
    c.put("mid_block_scale_factor", u.midBlockScaleFactor());
    if (u.midBlock()) {
      c.put("mid_block_type", "UNetMidBlock2D");
    } else {
      c.putNull("mid_block_type");
    }
    c.put("norm_eps", u.normEps());
    c.put("norm_num_groups", u.groups());
    if (u.numClasses() > 0 && u.classEmbedding() == UNetConfig.ClassEmbedding.TABLE) {
      c.put("num_class_embeds", u.numClasses() + (u.nullClass() ? 1 : 0));
      if (u.nullClass()) {
        c.put(NULL_CLASS_KEY, true);
      }
    } else {
      c.putNull("num_class_embeds");
    }
    c.putNull("num_train_timesteps");
    c.put("out_channels", u.predictionChannels());
    c.put("resnet_time_scale_shift", u.scaleShift() ? "scale_shift" : "default");
    c.put("sample_size", u.imageSize());
    c.put("time_embedding_dim", u.timeEmbeddingDim() > 0 ? u.timeEmbeddingDim() : null);
    c.put("time_embedding_type", "positional");
    c.put("upsample_type", "conv");
    return c;
  }

  /**
   * diffusers has one head width for all blocks, jdiffusion (without headDim) one head count: the
   * width is channels / heads, the same at every level with attention (the middle block included).
   */
  private static int headDimOfHeads(UNetConfig u) {
    java.util.Set<Integer> widths = new java.util.TreeSet<>();
    for (int i = 0; i < u.levels(); i++) {
      if (u.attention(i, false) || u.attention(i, true)) {
        widths.add(u.channels(i) / u.heads());
      }
    }
    if (u.midBlock() && u.midAttention()) {
      widths.add(u.channels(u.levels() - 1) / u.heads());
    }
    if (widths.size() > 1) {
      throw new IllegalArgumentException("this model's attention has " + u.heads() + " heads of " + widths
          + " channels at different levels; diffusers' UNet2DModel has one attention_head_dim for all");
    }
    return widths.isEmpty() ? 8 : widths.iterator().next();
  }
}
