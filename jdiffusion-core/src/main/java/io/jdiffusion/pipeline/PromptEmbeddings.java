package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Torch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;

/**
 * The text encoder's states of a call's prompts, each distinct text encoded once (diffusers'
 * encode_prompt): the prompt with the call's clip skip, the negative prompt (or "") always from the
 * last layer, as encode_prompt does. Each encoding belongs to the scope that was open when this was
 * made (the call's outer scope), wherever it is first asked for, so it lasts the whole call: a batch's
 * own scope closing must not free an encoding a later batch reuses.
 */
final class PromptEmbeddings {
  private final StableDiffusion sd;
  private final Forward forward;
  private final Consumer<String> warn;
  private final Map<String, Tensor> byKey = new HashMap<>();
  private final org.bytedeco.javacpp.PointerScope home = org.bytedeco.javacpp.PointerScope.getInnerScope();

  PromptEmbeddings(StableDiffusion sd, Forward forward, Consumer<String> warn) {
    this.sd = sd;
    this.forward = forward;
    this.warn = warn;
  }

  /** [B, 77, D]: image i's prompt. */
  Tensor prompts(List<PromptOptions> batch) {
    Tensor[] rows = new Tensor[batch.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = get(batch.get(i).prompt(), batch.get(i).clipSkip());
    }
    return Torch.cat(0, rows);
  }

  /** [B, 77, D]: image i's negative prompt ("" when none). */
  Tensor negatives(List<PromptOptions> batch) {
    Tensor[] rows = new Tensor[batch.size()];
    for (int i = 0; i < rows.length; i++) {
      String neg = batch.get(i).negativePrompt();
      rows[i] = get(neg == null ? "" : neg, 0);
    }
    return Torch.cat(0, rows);
  }

  private Tensor get(String text, int clipSkip) {
    return byKey.computeIfAbsent(clipSkip + "\u0000" + text, k -> {
      Tensor t = sd.encodePrompt(text, clipSkip, forward, warn);
      org.bytedeco.javacpp.PointerScope current = org.bytedeco.javacpp.PointerScope.getInnerScope();
      if (home != null && current != null && current != home) {
        home.attach(t); // first: attach retains, detach releases (and frees at zero references)
        current.detach(t);
      }
      return t;
    });
  }
}
