package io.jdiffusion.text;

/**
 * A token matched whole before byte-pair encoding (transformers' AddedToken): the special tokens and tokens added
 * to the vocabulary (textual inversion). {@code lstrip} / {@code rstrip} eat the whitespace on that side of the
 * token in the prompt; {@code singleWord} keeps it from matching inside a word; {@code special} marks
 * bos / eos / unk / pad and additional special tokens.
 */
public record AddedToken(String content, boolean lstrip, boolean rstrip, boolean singleWord, boolean special) {
  public AddedToken {
    if (content == null || content.isEmpty()) {
      throw new TokenizerException("an added token must have non-empty content");
    }
  }
}
