package io.jdiffusion.serve;

/**
 * A request that cannot be served, with the HTTP status and the one-line message of its JSON body
 * {@code {"error": "..."}}, and for 429 how many seconds a client should wait before trying again
 * (the response's {@code Retry-After} header).
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final int retryAfterSeconds;

  public ApiError(int status, String message) {
    this(status, message, 0);
  }

  /**
   * @param retryAfterSeconds the {@code Retry-After} header's seconds; 0 for none
   */
  public ApiError(int status, String message, int retryAfterSeconds) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 400: the request is malformed or asks for something invalid. */
  public static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  /** 404: no such model, job or route. */
  public static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  public int status() {
    return status;
  }

  /** Seconds a client should wait before it tries again (the {@code Retry-After} header); 0 when none is said. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
