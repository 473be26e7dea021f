package io.jdiffusion.store;

/** A checkpoint or weights file that cannot be read or written; the message is one line for the user. */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
