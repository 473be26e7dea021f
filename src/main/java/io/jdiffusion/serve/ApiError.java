package io.jdiffusion.serve;

/**
 * A request that cannot be served, with the HTTP status and the one-line message of its JSON body
 * {@code {"error": "..."}}.
 */
public final class ApiError extends RuntimeException {
  private final int status;

  public ApiError(int status, String message) {
    super(message);
    this.status = status;
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
}
