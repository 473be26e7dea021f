package io.jdiffusion.text;

import java.util.Optional;

/**
 * What diffusers' StableDiffusionPipeline.encode_prompt gets from the tokenizer for one prompt:
 * {@code ids}, the {@code model_max_length} ids the text encoder reads (bos, the prompt's tokens cut to fit, eos,
 * padding); {@code untruncated}, bos + every token + eos; and {@code truncatedText}, the decoded part that was cut
 * ({@code tokenizer.batch_decode(untruncated_ids[:, max_length - 1 : -1])}), null when nothing was cut.
 */
public record PromptEncoding(int[] ids, int[] untruncated, String truncatedText, int modelMaxLength) {

  /** Whether tokens were cut to fit. */
  public boolean truncated() {
    return truncatedText != null;
  }

  /** diffusers' warning line, word for word, the cut text shown as Python prints a one-string list. */
  public Optional<String> warning() {
    if (truncatedText == null) {
      return Optional.empty();
    }
    return Optional.of("The following part of your input was truncated because CLIP can only handle sequences up to "
        + modelMaxLength + " tokens: [" + PythonText.repr(truncatedText) + "]");
  }
}
