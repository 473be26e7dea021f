package io.jdiffusion.serve;

import io.jdiffusion.nn.CpuInfo;
import java.util.List;

/**
 * How a server runs: where it listens, what it loads, and its limits. Every default is here.
 *
 * @param host the address to bind (loopback by default: the server has no authentication)
 * @param port the TCP port; 0 picks a free one ({@link Server#port} tells which)
 * @param models what to load and keep warm: shipped names, run directories, weights files; the first
 *     is the default model of requests that name none
 * @param maxConcurrent requests computed at once (K)
 * @param queue requests waiting for a worker beyond those; more are refused with 429
 * @param maxImages the most images (or frames) one request may ask for
 * @param maxSteps the most denoising steps one request may ask for
 * @param maxImagePixels the largest uploaded image, in pixels (width x height)
 * @param maxBodyBytes the largest request body
 * @param timeoutSeconds how long a request may wait and compute before it is cancelled
 * @param threadsPerRequest libtorch intra-op threads of each worker; 0 = physical cores / K (at least 1)
 * @param version the tool version written into every result's provenance
 * @param previewDecoder an AutoencoderTiny (TAESD) folder that draws the progress previews of text-to-image
 *     pipelines, or null (such pipelines then make no previews)
 */
public record ServeConfig(String host, int port, List<String> models, int maxConcurrent, int queue, int maxImages,
    int maxSteps, long maxImagePixels, int maxBodyBytes, int timeoutSeconds, int threadsPerRequest, String version,
    String previewDecoder) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_MODEL = "fashion-mnist";
  public static final int DEFAULT_MAX_CONCURRENT = 2;
  public static final int DEFAULT_QUEUE = 16;
  public static final int DEFAULT_MAX_IMAGES = 64;
  public static final int DEFAULT_MAX_STEPS = 1000;
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 4096L * 4096;
  public static final int DEFAULT_MAX_BODY_BYTES = 16 << 20;
  public static final int DEFAULT_TIMEOUT_SECONDS = 300;

  public ServeConfig {
    models = List.copyOf(models);
    check(port >= 0 && port <= 65_535, "port must be between 0 and 65535, got " + port);
    check(!models.isEmpty(), "at least one model must be given");
    check(maxConcurrent >= 1 && maxConcurrent <= 256, "max-concurrent must be between 1 and 256, got " + maxConcurrent);
    check(queue >= 0 && queue <= 10_000, "queue must be between 0 and 10000, got " + queue);
    check(maxImages >= 1 && maxImages <= 4096, "max-images must be between 1 and 4096, got " + maxImages);
    check(maxSteps >= 1 && maxSteps <= 100_000, "max-steps must be between 1 and 100000, got " + maxSteps);
    check(maxImagePixels >= 1 && maxImagePixels <= (1L << 28), "max-image-pixels must be between 1 and 2^28, got "
        + maxImagePixels);
    check(maxBodyBytes >= 1024 && maxBodyBytes <= (1 << 30), "max-body must be between 1 KiB and 1 GiB, got "
        + maxBodyBytes);
    check(timeoutSeconds >= 1, "timeout must be >= 1 second, got " + timeoutSeconds);
    check(threadsPerRequest >= 0 && threadsPerRequest <= 1024, "threads must be between 0 (automatic) and 1024, got "
        + threadsPerRequest);
    check(host != null && !host.isBlank(), "host must not be empty");
  }

  /** The defaults, serving {@code models} on {@code port}. */
  public static ServeConfig defaults(int port, List<String> models, String version) {
    return new ServeConfig(DEFAULT_HOST, port, models, DEFAULT_MAX_CONCURRENT, DEFAULT_QUEUE, DEFAULT_MAX_IMAGES,
        DEFAULT_MAX_STEPS, DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_SECONDS, 0, version, null);
  }

  /** The same configuration with another concurrency and queue. */
  public ServeConfig withConcurrency(int maxConcurrent, int queue) {
    return new ServeConfig(host, port, models, maxConcurrent, queue, maxImages, maxSteps, maxImagePixels, maxBodyBytes,
        timeoutSeconds, threadsPerRequest, version, previewDecoder);
  }

  /** The same configuration with other request limits. */
  public ServeConfig withLimits(int maxImages, int maxSteps, long maxImagePixels, int maxBodyBytes, int timeoutSeconds) {
    return new ServeConfig(host, port, models, maxConcurrent, queue, maxImages, maxSteps, maxImagePixels, maxBodyBytes,
        timeoutSeconds, threadsPerRequest, version, previewDecoder);
  }

  /** The same configuration with a preview decoder for text-to-image pipelines (null: none). */
  public ServeConfig withPreviewDecoder(String folder) {
    return new ServeConfig(host, port, models, maxConcurrent, queue, maxImages, maxSteps, maxImagePixels, maxBodyBytes,
        timeoutSeconds, threadsPerRequest, version, folder);
  }

  /**
   * libtorch threads per worker: the given count, else the machine's physical cores shared evenly
   * between the K workers, so that K concurrent requests together use every core once.
   */
  public int workerThreads() {
    return threadsPerRequest > 0 ? threadsPerRequest : Math.max(1, CpuInfo.current().physicalCores() / maxConcurrent);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
