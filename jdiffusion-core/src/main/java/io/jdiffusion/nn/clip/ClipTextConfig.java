package io.jdiffusion.nn.clip;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiffusion.store.Json;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The shape of a CLIP text encoder: transformers' {@code CLIPTextConfig} (src/transformers/models/clip/
 * configuration_clip.py, commit 01841b34), read from the config.json that {@code
 * CLIPTextModel.save_pretrained} writes into a Stable Diffusion pipeline's text_encoder/ folder.
 *
 * <p>Missing keys take CLIPTextConfig's defaults. Keys that describe no part of the text encoder's
 * forward (dropout rates, initialiser scales, generation settings, dtype, version) are ignored; an
 * unknown key is ignored with a warning, as diffusers reads its own configs. What would change the
 * network and is not computed here is refused by its key: another model_type or architecture (a
 * CLIPTextModelWithProjection's text_projection), an activation outside {@link ClipActivation},
 * {@code use_attention_mask} (diffusers then passes the tokenizer's padding mask, which this encoder
 * does not take).
 *
 * @param vocabSize rows of the token embedding (vocab_size)
 * @param hiddenSize width of the residual stream (hidden_size)
 * @param intermediateSize width of the MLP (intermediate_size)
 * @param numHiddenLayers encoder layers (num_hidden_layers)
 * @param numAttentionHeads heads per attention; hiddenSize must divide by it (num_attention_heads)
 * @param maxPositionEmbeddings rows of the position embedding: the longest token sequence (max_position_embeddings)
 * @param hiddenAct the MLP's activation (hidden_act)
 * @param layerNormEps epsilon of every layer norm (layer_norm_eps)
 * @param projectionDim width of CLIPModel's text projection, unused by the text encoder (projection_dim)
 * @param bosTokenId begin-of-text token (bos_token_id), for the tokenizer's side
 * @param eosTokenId end-of-text token (eos_token_id), for the tokenizer's side
 * @param padTokenId padding token (pad_token_id), for the tokenizer's side
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
    int numAttentionHeads, int maxPositionEmbeddings, ClipActivation hiddenAct, double layerNormEps,
    int projectionDim, int bosTokenId, int eosTokenId, int padTokenId) {

  /** Keys of CLIPTextConfig and PretrainedConfig that do not change the text encoder's outputs. */
  private static final Set<String> IGNORED = Set.of("projection_dim", "bos_token_id", "eos_token_id", "pad_token_id",
      "attention_dropout", "dropout", "initializer_range", "initializer_factor", "torch_dtype", "dtype",
      "transformers_version", "return_dict", "output_hidden_states", "output_attentions", "torchscript",
      "use_bfloat16", "tf_legacy_loss", "pruned_heads", "tie_word_embeddings", "chunk_size_feed_forward",
      "is_encoder_decoder", "is_decoder", "cross_attention_hidden_size", "add_cross_attention", "tie_encoder_decoder",
      "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
      "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
      "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
      "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
      "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "finetuning_task", "id2label",
      "label2id", "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id", "task_specific_params",
      "problem_type", "gradient_checkpointing");
  /** Keys read into the record (besides the ignored ones) or checked. */
  private static final Set<String> READ = Set.of("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
      "num_attention_heads", "max_position_embeddings", "hidden_act", "layer_norm_eps", "architectures", "model_type",
      "use_attention_mask");

  public ClipTextConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("max_position_embeddings", maxPositionEmbeddings);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible into " + numAttentionHeads
          + " attention heads");
    }
    if (hiddenAct == null) {
      throw new IllegalArgumentException("hidden_act is required");
    }
    if (!(layerNormEps > 0) || !Double.isFinite(layerNormEps)) {
      throw new IllegalArgumentException("layer_norm_eps must be a positive number, got " + layerNormEps);
    }
  }

  private static void positive(String key, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(key + " must be at least 1, got " + v);
    }
  }

  /** Stable Diffusion 1.x's text encoder, CLIP ViT-L/14's text tower (openai/clip-vit-large-patch14). */
  public static ClipTextConfig sd15() {
    return new ClipTextConfig(49408, 768, 3072, 12, 12, 77, ClipActivation.QUICK_GELU, 1e-5, 768, 0, 2, 1);
  }

  /** Channels per attention head. */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** Reads {@code text_encoder/config.json}; warnings (unknown keys) go to {@code warn}. */
  public static ClipTextConfig read(Path configFile, Consumer<String> warn) {
    JsonNode c;
    try {
      c = Json.mapper().readTree(Files.readString(configFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreException(configFile + ": unreadable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    return read(c, configFile.toString(), warn);
  }

  /**
   * The config a parsed config.json describes.
   *
   * @param file names the config in errors and warnings
   * @throws StoreException naming the file and the key of a value that cannot be computed or is malformed
   */
  public static ClipTextConfig read(JsonNode c, String file, Consumer<String> warn) {
    if (c == null || !c.isObject()) {
      throw new StoreException(file + ": not a JSON object");
    }
    String type = text(c, file, "model_type", "clip_text_model");
    if (!type.equals("clip_text_model")) {
      throw new StoreException(file + ": model_type \"" + type + "\" is not a CLIP text encoder (expected"
          + " clip_text_model, as a pipeline's text_encoder/config.json has)");
    }
    JsonNode arch = c.get("architectures");
    if (arch != null && !arch.isNull()) {
      if (!arch.isArray()) {
        throw new StoreException(file + ": architectures must be a list, got " + arch);
      }
      for (JsonNode a : arch) {
        if (!a.asText().equals("CLIPTextModel")) {
          throw new StoreException(file + ": architecture " + a.asText() + " is not supported (jdiffusion computes"
              + " CLIPTextModel; a CLIPTextModelWithProjection adds a text_projection)");
        }
      }
    }
    JsonNode mask = c.get("use_attention_mask");
    if (mask != null && !mask.isNull() && !(mask.isBoolean() && !mask.asBoolean())) {
      throw new StoreException(file + ": use_attention_mask " + mask + " is not supported (the encoder attends"
          + " with the causal mask only, as diffusers' pipelines do without this key)");
    }
    c.fieldNames().forEachRemaining(k -> {
      if (!k.startsWith("_") && !READ.contains(k) && !IGNORED.contains(k)) {
        warn.accept("warning: " + file + ": unknown key '" + k + "' ignored");
      }
    });
    ClipActivation act;
    try {
      act = ClipActivation.named(text(c, file, "hidden_act", "quick_gelu"));
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
    try {
      return new ClipTextConfig(integer(c, file, "vocab_size", 49408), integer(c, file, "hidden_size", 512),
          integer(c, file, "intermediate_size", 2048), integer(c, file, "num_hidden_layers", 12),
          integer(c, file, "num_attention_heads", 8), integer(c, file, "max_position_embeddings", 77), act,
          number(c, file, "layer_norm_eps", 1e-5), integer(c, file, "projection_dim", 512),
          integer(c, file, "bos_token_id", 49406), integer(c, file, "eos_token_id", 49407),
          integer(c, file, "pad_token_id", 1));
    } catch (IllegalArgumentException e) {
      throw new StoreException(file + ": " + e.getMessage());
    }
  }

  private static String text(JsonNode c, String file, String key, String dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isTextual()) {
      throw new StoreException(file + ": " + key + " must be a string, got " + n);
    }
    return n.asText();
  }

  private static int integer(JsonNode c, String file, String key, int dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new StoreException(file + ": " + key + " must be an integer, got " + n);
    }
    return n.asInt();
  }

  private static double number(JsonNode c, String file, String key, double dflt) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber()) {
      throw new StoreException(file + ": " + key + " must be a number, got " + n);
    }
    return n.asDouble();
  }
}
