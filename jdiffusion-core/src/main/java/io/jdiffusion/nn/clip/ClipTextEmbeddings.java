package io.jdiffusion.nn.clip;

import io.jdiffusion.nn.Params;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Token plus learned position embeddings (transformers' {@code CLIPTextEmbeddings}): for ids
 * [B, L], {@code token_embedding[ids] + position_embedding[0..L-1]}, float32 [B, L, hidden]. The
 * position ids are always 0..L-1 (transformers' position_ids buffer, which is not a parameter).
 */
final class ClipTextEmbeddings {
  private final Tensor tokenEmbedding;
  private final Tensor positionEmbedding;

  ClipTextEmbeddings(Params p, String name, ClipTextConfig c) {
    this.tokenEmbedding = p.normal(name + ".token_embedding.weight", c.vocabSize(), c.hiddenSize());
    this.positionEmbedding = p.normal(name + ".position_embedding.weight", c.maxPositionEmbeddings(), c.hiddenSize());
  }

  /** ids int64 [B, L], already checked against the vocabulary and the position count. */
  Tensor forward(Tensor ids) {
    long length = ids.size(1);
    return torch.embedding(tokenEmbedding, ids).add(positionEmbedding.narrow(0, 0, length));
  }
}
