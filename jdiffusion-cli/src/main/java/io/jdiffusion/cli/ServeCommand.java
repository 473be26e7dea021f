package io.jdiffusion.cli;

import io.jdiffusion.serve.ServeConfig;
import io.jdiffusion.serve.Server;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: the models over HTTP, with a web page; runs until interrupted. */
@Command(name = "serve",
    header = "Serve models over HTTP: a JSON API with progress streams, and a web page for people.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion serve                                    # http://127.0.0.1:8080/, the shipped model",
        "jdiffusion serve --model fashion-mnist-cond --model runs/quickstart --max-concurrent 2 --port 9000"},
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Serve models over HTTP: a JSON API (generate, inpaint, img2img, interpolate, progress streams,",
        "cancellation) and a web page, on 127.0.0.1 unless --host says otherwise. Runs until interrupted (Ctrl-C)."})
public final class ServeCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Option(names = "--port", defaultValue = "" + ServeConfig.DEFAULT_PORT,
      description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;
  @Option(names = "--host", defaultValue = ServeConfig.DEFAULT_HOST,
      description = "Address to bind; the server has no authentication (default: ${DEFAULT-VALUE}).")
  String host;
  @Option(names = "--model", paramLabel = "NAME|PATH",
      description = "A model to load and keep warm (repeatable): a shipped name, a run directory, a checkpoint or a"
          + " weights file; the first is the default (default: " + ServeConfig.DEFAULT_MODEL + ").")
  List<String> models;
  @Option(names = "--max-concurrent", defaultValue = "" + ServeConfig.DEFAULT_MAX_CONCURRENT,
      description = "Requests computed at once; each gets cores / K libtorch threads (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;
  @Option(names = "--queue", defaultValue = "" + ServeConfig.DEFAULT_QUEUE,
      description = "Requests waiting beyond those; more get 429 (default: ${DEFAULT-VALUE}).")
  int queue;
  @Option(names = "--max-images", defaultValue = "" + ServeConfig.DEFAULT_MAX_IMAGES,
      description = "Most images (or frames) per request (default: ${DEFAULT-VALUE}).")
  int maxImages;
  @Option(names = "--max-steps", defaultValue = "" + ServeConfig.DEFAULT_MAX_STEPS,
      description = "Most denoising steps per request (default: ${DEFAULT-VALUE}).")
  int maxSteps;
  @Option(names = "--max-image-pixels", defaultValue = "" + ServeConfig.DEFAULT_MAX_IMAGE_PIXELS,
      description = "Largest uploaded image, width x height (default: ${DEFAULT-VALUE}).")
  long maxImagePixels;
  @Option(names = "--max-body", defaultValue = "" + ServeConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).")
  int maxBody;
  @Option(names = "--timeout", defaultValue = "" + ServeConfig.DEFAULT_TIMEOUT_SECONDS,
      description = "Seconds a request may wait and compute before it is cancelled (default: ${DEFAULT-VALUE}).")
  int timeout;
  @Option(names = "--threads", defaultValue = "0",
      description = "libtorch threads per concurrent request (default: 0, physical cores / --max-concurrent).")
  int threads;
  @Option(names = "--preview-decoder", paramLabel = "DIR",
      description = "An AutoencoderTiny (TAESD) folder that draws the progress previews of text-to-image pipelines"
          + " (default: none, and such pipelines make no previews).")
  String previewDecoder;

  @Override
  public Integer call() throws InterruptedException {
    String version = "jdiffusion " + io.jdiffusion.util.ToolVersion.get();
    device.use();
    ServeConfig config = new ServeConfig(host, port, models == null ? List.of(ServeConfig.DEFAULT_MODEL) : models,
        maxConcurrent, queue, maxImages, maxSteps, maxImagePixels, maxBody, timeout, threads, version, previewDecoder);
    Server server = Server.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "jdiffusion-serve-stop"));
    String address = host.contains(":") ? "[" + host + "]" : host;
    System.out.printf(Locale.ROOT, "serving %s on http://%s:%d/ (%d concurrent, %d libtorch threads each, queue %d);"
        + " Ctrl-C stops%n", String.join(", ", config.models()), address, server.port(), maxConcurrent,
        config.workerThreads(), queue);
    stopped.await();
    return ExitCode.OK;
  }
}
