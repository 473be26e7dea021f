package io.jdiffusion.cli;

import io.jdiffusion.eval.features.Extractors;
import io.jdiffusion.nn.Classifier;
import io.jdiffusion.nn.ConvRoute;
import io.jdiffusion.nn.CpuInfo;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.KernelCheck;
import io.jdiffusion.nn.Kernels;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.pipeline.Pretrained;
import io.jdiffusion.pipeline.TrainedClassifier;
import io.jdiffusion.pipeline.TrainedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code doctor}: what this machine is, which engine runs, and the numerical self-check of every kernel
 * the shipped models and evaluation classifiers use (or a given model), with the route each takes.
 */
@Command(name = "doctor",
    header = "Check this machine: CPU, engine, threads, and every libtorch kernel the models use.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion doctor",
        "jdiffusion doctor --model runs/quickstart --recheck"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Check this machine: CPU, engine and thread settings, and every libtorch kernel the models use,",
        "at their real shapes, against float64; shows which convolutions take another route and why."})
public final class DoctorCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Option(names = "--model", paramLabel = "MODEL",
      description = "Check this model's shapes (run directory, weights file or shipped name) instead of the shipped"
          + " models and bundled classifiers; repeatable (default: none).")
  List<String> models = new ArrayList<>();
  @Option(names = "--precision", split = ",", defaultValue = "fp32,bf16",
      description = "Precisions to check (default: ${DEFAULT-VALUE}).")
  List<String> precisions;
  @Option(names = "--threads", defaultValue = "0", description = Help.THREADS)
  int threads;
  @Option(names = "--recheck", description = "Ignore and replace this machine's cached verdicts.")
  boolean recheck;
  @Option(names = {"-v", "--verbose"}, description = "Print every check, not only the routed and failed ones.")
  boolean verbose;

  @Override
  public Integer call() {
    List<Precision> ps = precisions.stream().map(Precision::parse).distinct().toList();
    Torch.init(threads);
    device.use();
    Kernels.onNotice(s -> { });
    List<String> names = new ArrayList<>(); // the models first: a bad --model is refused before any output
    List<Object> nets = new ArrayList<>();
    if (models.isEmpty()) {
      for (Pretrained m : Pretrained.values()) {
        names.add(m.id);
        nets.add(m.load().net());
      }
      for (String family : List.of("fashion-mnist", "mnist", "cifar10")) {
        TrainedClassifier c = TrainedClassifier.loadResource(Extractors.bundledResource(family)).orElse(null);
        if (c != null) {
          names.add("classifier " + family);
          nets.add(c.net());
        }
      }
    } else {
      for (String m : models) {
        names.add(m);
        nets.add(TrainedModel.resolve(m, true).net());
      }
    }
    CpuInfo cpu = CpuInfo.current();
    System.out.println("cpu      " + cpu.summary());
    System.out.println("engine   " + Kernels.engine() + "; Java " + System.getProperty("java.version"));
    System.out.printf(Locale.ROOT, "threads  libtorch %d intra-op; OpenBLAS %s; OMP_NUM_THREADS %s%n",
        torch.get_num_threads(), env("OPENBLAS_NUM_THREADS"), env("OMP_NUM_THREADS"));
    System.out.println("nnpack   " + (torch.globalContext().userEnabledNNPACK() ? "on" : "off (jdiffusion turns it off)"));
    ConvRoute forced = Kernels.forced();
    if (forced != null) {
      System.out.println("forced   " + Kernels.FORCE_PROPERTY + "=" + forced.name().toLowerCase(Locale.ROOT));
    }
    System.out.println("cache    " + Kernels.cacheFile() + (recheck ? " (rechecked)" : ""));
    if (recheck) {
      Kernels.forget(true);
    }
    long t0 = System.nanoTime();
    for (Precision p : ps) {
      for (Object net : nets) {
        touch(net, p);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.println("models   " + String.join(", ", names) + "; " + String.join(", ",
        ps.stream().map(p -> p.name().toLowerCase(Locale.ROOT)).toList()));
    int routed = 0;
    int failed = 0;
    for (Kernels.Verdict v : Kernels.verdicts()) {
      boolean isRouted = v.usable() && v.route() != ConvRoute.FAST;
      routed += isRouted ? 1 : 0;
      failed += v.usable() ? 0 : 1;
      if (verbose || isRouted || !v.usable()) {
        System.out.printf(Locale.ROOT, "  %-48s %-7s %5.0f ms  %s%n", v.description(),
            v.usable() ? v.route().name() : "FAILED", v.millis(), describe(v.checks()));
      }
    }
    System.out.printf(Locale.ROOT, "%d kernel checks (%d threads) in %.2f s: %d pass on libtorch's fast path, %d routed,"
            + " %d with no correct kernel%n", Kernels.verdicts().size(), torch.get_num_threads(), seconds,
        Kernels.verdicts().size() - routed - failed, routed, failed);
    return failed == 0 ? ExitCode.OK : ExitCode.KERNEL_FAILURE;
  }

  /**
   * Runs one forward of batch 1 with grad mode on, so that every kernel the model uses is checked at its
   * shapes as training uses it (output and gradients; such a verdict serves sampling too).
   */
  private static void touch(Object net, Precision p) {
    try (PointerScope scope = new PointerScope(); AutoGradMode grad = new AutoGradMode(true)) {
      Forward f = new Forward(p, false);
      try {
        if (net instanceof UNet u) {
          var c = u.config();
          u.forward(Torch.zeros(1, c.inChannels(), c.imageSize(), c.imageSize()), new double[] {500},
              c.numClasses() > 0 ? new int[] {c.numClasses()} : null, f);
        } else {
          Classifier c = (Classifier) net;
          var cc = c.config();
          c.logits(c.features(Torch.zeros(1, cc.inChannels(), cc.imageSize(), cc.imageSize()), f), f);
        }
      } catch (Kernels.KernelFailure e) {
        // recorded in the verdicts and reported in the table
      }
    }
  }

  private static String describe(List<KernelCheck.Result> checks) {
    List<String> parts = new ArrayList<>();
    for (KernelCheck.Result r : checks) {
      parts.add(r.inputGrad() == 0 && r.weightGrad() == 0
          ? String.format(Locale.ROOT, "%s %s (out %.1e; forward only)", r.kernel().toLowerCase(Locale.ROOT),
              r.passed() ? "ok" : "WRONG", r.output())
          : String.format(Locale.ROOT, "%s %s (out %.1e, dx %.1e, dw %.1e)", r.kernel().toLowerCase(Locale.ROOT),
              r.passed() ? "ok" : "WRONG", r.output(), r.inputGrad(), r.weightGrad()));
    }
    return parts.isEmpty() ? "not checked" : String.join("; ", parts);
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null ? "unset" : v;
  }
}
