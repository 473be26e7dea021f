package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.LayerNorm;
import io.jdiffusion.nn.Params;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The text encoder of Stable Diffusion pipelines: transformers' {@code CLIPTextModel} (src/transformers/
 * models/clip/modeling_clip.py, commit 000f1ffd; Radford et al. 2021), text path only:
 *
 * <pre>h_0 = token_embedding[ids] + position_embedding[0..L-1]
 * h_i = layer_i(h_{i-1}),  i = 1..N   (pre-LN, causal self-attention then MLP)
 * last_hidden_state = final_layer_norm(h_N)</pre>
 *
 * Parameters carry transformers' names ({@code text_model.embeddings.token_embedding.weight},
 * {@code text_model.encoder.layers.0.self_attn.q_proj.weight}, ..., {@code
 * text_model.final_layer_norm.bias}), so a text_encoder/ folder loads with no renaming ({@link #load}).
 *
 * <p>{@link #encode} is what diffusers' {@code StableDiffusionPipeline.encode_prompt} takes from the
 * encoder (no attention mask: padding is attended to, causally, as there): the last hidden state, or
 * with {@code clip_skip} k, {@code final_layer_norm(h_{N-k})} (its {@code hidden_states[-(k + 1)]}).
 *
 * <p>Weights are float32; {@link io.jdiffusion.nn.Precision#BF16} runs the linear maps in bfloat16
 * while embeddings, layer norms, attention softmax and the residual stream stay float32. Outputs are
 * float32.
 *
 * <p>Memory: Stable Diffusion 1.5's encoder ({@link ClipTextConfig#sd15}) has 123.06 M parameters, 492 MB
 * in float32 (bf16 casts each weight per call, transiently); loading also holds one weight file's values
 * on the Java heap (492 MB for an unsharded fp32 file) until it is copied.
 */
public final class ClipTextModel implements AutoCloseable {
  private final ClipTextConfig config;
  private final Params params = new Params();
  private final ClipTextEmbeddings embeddings;
  private final List<ClipEncoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalLayerNorm;

  /**
   * The hidden states of one forward pass, as transformers returns them with output_hidden_states.
   *
   * @param lastHiddenState final_layer_norm(h_N), float32 [B, L, hidden]
   * @param hiddenStates h_0 (embeddings) .. h_N, each float32 [B, L, hidden], before the final norm
   */
  public record Output(Tensor lastHiddenState, List<Tensor> hiddenStates) {}

  /** An encoder of {@code config}'s shape with random weights (starts libtorch if needed). */
  public ClipTextModel(ClipTextConfig config) {
    Torch.init();
    this.config = config;
    this.embeddings = new ClipTextEmbeddings(params, "text_model.embeddings", config);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(new ClipEncoderLayer(params, "text_model.encoder.layers." + i, config));
    }
    this.finalLayerNorm = new LayerNorm(params, "text_model.final_layer_norm", config.hiddenSize(), config.layerNormEps());
  }

  /** {@link #load(Path, String, Consumer)} of the plain weights, else of a variant that is present. */
  public static ClipTextModel load(Path textEncoderDir, Consumer<String> warn) {
    return load(textEncoderDir, null, warn);
  }

  /**
   * The encoder of a text_encoder/ folder: its config.json and weights ({@link ClipTextWeights}).
   *
   * @param variant null for model.safetensors (else whichever variant is present), or "fp16" / "bf16"
   * @param warn receives one line per ignored config key
   * @throws StoreException naming the folder and the problem: no config, a config this class does not
   *     compute, missing or unexpected tensors, a shape that differs from the config's
   */
  public static ClipTextModel load(Path textEncoderDir, String variant, Consumer<String> warn) {
    Path configFile = textEncoderDir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new StoreException(textEncoderDir + ": no config.json (not a text_encoder folder)");
    }
    ClipTextConfig config = ClipTextConfig.read(configFile, warn);
    List<Path> files = ClipTextWeights.files(textEncoderDir, variant);
    ClipTextModel model = new ClipTextModel(config);
    try {
      ClipTextWeights.copyInto(files, model.parameters());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  public ClipTextConfig config() {
    return config;
  }

  /** Parameters by transformers' names, in creation order. */
  public Map<String, Tensor> parameters() {
    return params.all();
  }

  /** Frees the parameters' native memory; the model must not be used afterwards. */
  @Override
  public void close() {
    params.free();
  }

  /** Token rows as an int64 tensor [B, L] on the current device (all rows of the same length). */
  public static Tensor ids(int[]... rows) {
    if (rows.length == 0 || rows[0].length == 0) {
      throw new IllegalArgumentException("token ids: at least one non-empty row expected");
    }
    long[] flat = new long[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != rows[0].length) {
        throw new IllegalArgumentException("token ids: row " + r + " has " + rows[r].length + " tokens, row 0 has "
            + rows[0].length + " (pad the rows to one length)");
      }
      for (int i = 0; i < rows[r].length; i++) {
        flat[r * rows[0].length + i] = rows[r][i];
      }
    }
    return Torch.longs(flat).view(rows.length, rows[0].length);
  }

  /**
   * The prompt embeddings diffusers' encode_prompt computes, without gradients.
   *
   * @param ids int64 [B, L], L at most max_position_embeddings (77 for Stable Diffusion)
   * @param clipSkip 0: the last hidden state (diffusers' clip_skip None); k in 1..N: the output of layer
   *     N - k through the final layer norm (the layers after it are not run)
   * @return float32 [B, L, hidden]
   */
  public Tensor encode(Tensor ids, int clipSkip, Forward f) {
    if (clipSkip < 0 || clipSkip > config.numHiddenLayers()) {
      throw new IllegalArgumentException("clip_skip " + clipSkip + " is out of range: this text encoder has "
          + config.numHiddenLayers() + " layers (0 .. " + config.numHiddenLayers() + ")");
    }
    try (NoGradGuard ng = new NoGradGuard()) {
      return Torch.scoped(() -> {
        Tensor h = embeddings.forward(checked(ids));
        for (int i = 0; i < config.numHiddenLayers() - clipSkip; i++) {
          h = layers.get(i).forward(h, f);
        }
        return finalLayerNorm.forward(h);
      });
    }
  }

  /** Every hidden state (transformers' forward with output_hidden_states=True), with gradients if enabled. */
  public Output forward(Tensor ids, Forward f) {
    List<Tensor> hidden = new ArrayList<>();
    Tensor h = embeddings.forward(checked(ids));
    hidden.add(h);
    for (ClipEncoderLayer layer : layers) {
      h = layer.forward(h, f);
      hidden.add(h);
    }
    return new Output(finalLayerNorm.forward(h), List.copyOf(hidden));
  }

  /** ids as int64, after checking the shape and that every id has an embedding row. */
  private Tensor checked(Tensor ids) {
    long[] s = Torch.shape(ids);
    if (s.length != 2 || s[0] < 1 || s[1] < 1) {
      throw new IllegalArgumentException("token ids must have shape [batch, length], got " + Arrays.toString(s));
    }
    if (s[1] > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence of " + s[1] + " tokens is longer than this text encoder's "
          + config.maxPositionEmbeddings() + " positions (max_position_embeddings)");
    }
    if (ids.is_floating_point()) {
      throw new IllegalArgumentException("token ids must be integers, got a " + ids.scalar_type() + " tensor");
    }
    Tensor longIds = ids.scalar_type() == ScalarType.Long ? ids : ids.to(ScalarType.Long);
    long[] values = Torch.toLongs(longIds);
    for (long v : values) {
      if (v < 0 || v >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + v + " is outside this text encoder's vocabulary of "
            + config.vocabSize() + " (vocab_size)");
      }
    }
    return Torch.onDevice(longIds);
  }
}
