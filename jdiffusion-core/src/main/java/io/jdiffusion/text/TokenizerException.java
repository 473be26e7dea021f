package io.jdiffusion.text;

/**
 * A tokenizer folder that cannot be used as it stands (a file missing, unreadable or malformed, a setting this
 * port does not implement), or an input it cannot handle; the message names the file or value in one line.
 */
public class TokenizerException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public TokenizerException(String message) {
    super(message);
  }
}
