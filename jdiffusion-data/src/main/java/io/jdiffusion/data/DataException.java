package io.jdiffusion.data;

/**
 * A problem with input data that the user can fix: a missing or malformed dataset file, an empty
 * image folder, an unknown dataset spec.
 *
 * <p>The message is a single user-facing line that names the offending file or folder, for example
 * {@code "train-images-idx3-ubyte.gz: bad IDX magic 0x00000000 (expected 0x00000803)"}, so a
 * command-line front end can print it as is, without a stack trace.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message one line, naming the file or folder concerned */
  public DataException(String message) {
    super(message);
  }

  /**
   * @param message one line, naming the file or folder concerned
   * @param cause the underlying I/O or decoding error, kept for debugging
   */
  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
