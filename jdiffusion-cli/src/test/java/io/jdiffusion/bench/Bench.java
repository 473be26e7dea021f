package io.jdiffusion.bench;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.diffusion.Prediction;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.UNet;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.sampling.NoisePath;
import io.jdiffusion.sampling.SamplerSettings;
import io.jdiffusion.sampling.Samplers;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.sampling.StepCallback;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.Timesteps;
import io.jdiffusion.sampling.UNetDenoiser;
import io.jdiffusion.schedule.NoiseSchedule;
import io.jdiffusion.schedule.ScheduleConfig;
import io.jdiffusion.train.LrSchedule;
import io.jdiffusion.train.TrainConfig;
import io.jdiffusion.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Java side of bench/run.sh: one measurement per process (so that peak RSS is its own), printed
 * as one JSON line. bench/torch_bench.py is its PyTorch twin with the same arguments.
 *
 * <pre>Bench MODE MODEL CHANNELS SIZE PRECISION BATCH STEPS WARMUP
 *   MODE: train   (full step: forward, loss, backward, clip, AdamW, EMA; ms per step)
 *         sample  (no-grad forward; ms per forward)
 *         ddpm    (BATCH images through STEPS DDPM steps, WARMUP timed repeats after an untimed
 *                  5-step chain; ms per image)
 *         ddim    (the same with DDIM)
 *         flat-train / flat-sample (STEPS steps, RSS every STEPS/10 steps)
 *         ceiling (forward FLOPs per image; GFLOP/s of a BATCH x BATCH matmul, fp32 and bf16)
 *   MODEL: reference (the 6.47 M-parameter U-Net) or tiny (the quick preset)</pre>
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] a) throws Exception {
    if (a.length != 8) {
      System.err.println("usage: Bench MODE MODEL CHANNELS SIZE PRECISION BATCH STEPS WARMUP");
      System.exit(2);
    }
    String mode = a[0];
    int c = Integer.parseInt(a[2]);
    int s = Integer.parseInt(a[3]);
    Precision p = Precision.parse(a[4]);
    int batch = Integer.parseInt(a[5]);
    int steps = Integer.parseInt(a[6]);
    int warmup = Integer.parseInt(a[7]);
    Torch.init(2);
    UNetConfig cfg = a[1].equals("tiny") ? UNetConfig.tiny(c, s, 0) : UNetConfig.reference(c, s, 0);
    cfg = cfg.toBuilder().dropout(0.0).build(); // no dropout: both sides do the same work
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("impl", "jdiffusion");
    out.put("mode", mode);
    out.put("model", a[1]);
    out.put("shape", c + "x" + s + "x" + s);
    out.put("precision", p.name().toLowerCase());
    out.put("batch", batch);
    List<Double> ms = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    List<Long> pointers = new ArrayList<>(); // live JavaCPP objects (tensors, scalars) beside each RSS reading
    long params;
    switch (mode) {
      case "train", "flat-train" -> {
        TrainConfig tc = TrainConfig.builder().data("bench").model(cfg).batchSize(batch).steps(steps + warmup)
            .lr(1e-4).warmupSteps(0).lrSchedule(LrSchedule.CONSTANT).emaDecay(0.999).emaWarmup(false).classDropout(0)
            .precision(p).threads(2).logEvery(1).checkpointEvery(1).keepCheckpoints(1).sampleEvery(0).build();
        Trainer trainer = new Trainer(tc, null, Path.of("unused"), false, true);
        params = trainer.model().parameterCount();
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < warmup + steps; i++) {
          try (PointerScope scope = new PointerScope()) {
            Tensor x0 = torch.rand(new long[] {batch, c, s, s}).mul(Torch.s(2)).sub(Torch.s(1));
            Tensor eps = torch.randn(batch, c, s, s);
            int[] t = new int[batch];
            for (int j = 0; j < batch; j++) {
              t[j] = rng.nextInt(1000);
            }
            long t0 = System.nanoTime();
            trainer.optimize(x0, eps, t, null, 1e-4);
            if (i >= warmup) {
              ms.add((System.nanoTime() - t0) / 1e6);
            }
          }
          if (mode.equals("flat-train") && (i + 1) % Math.max(1, (warmup + steps) / 10) == 0) {
            rss.add(rssKb());
            pointers.add(org.bytedeco.javacpp.Pointer.totalCount());
          }
        }
        if (mode.equals("train")) {
          routeCost(batch, out);
        }
      }
      case "sample", "flat-sample" -> {
        torch.manual_seed(0);
        UNet net = new UNet(cfg);
        params = net.parameterCount();
        Forward f = new Forward(p, false);
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
          Tensor x = torch.randn(batch, c, s, s);
          double[] t = new double[batch];
          for (int i = 0; i < warmup + steps; i++) {
            try (PointerScope step = new PointerScope()) {
              long t0 = System.nanoTime();
              net.forward(x, t, null, f);
              if (i >= warmup) {
                ms.add((System.nanoTime() - t0) / 1e6);
              }
            }
            if (mode.equals("flat-sample") && (i + 1) % Math.max(1, (warmup + steps) / 10) == 0) {
              rss.add(rssKb());
              pointers.add(org.bytedeco.javacpp.Pointer.totalCount());
            }
          }
        }
      }
      case "ddpm", "ddim" -> {
        torch.manual_seed(0);
        UNet net = new UNet(cfg);
        params = net.parameterCount();
        NoiseSchedule sched = NoiseSchedule.linear(1000);
        Denoiser d = new UNetDenoiser(net, Prediction.EPS, null, p);
        int[] ts = Timesteps.LEADING.select(1000, steps);
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) { // untimed warm-up chain
          ImageNoise noise = ImageNoise.consecutive(-1, batch);
          SamplingLoop.run(Samplers.DDIM, d, sched, noise.next(c, s, s), 5, Timesteps.LEADING, noise,
              SamplerSettings.eta(0), StepCallback.NONE);
        }
        for (int r = 0; r < warmup; r++) { // WARMUP = timed repeats in the sampler modes
          try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
            ImageNoise noise = ImageNoise.consecutive(r * 1000L, batch);
            Tensor xT = noise.next(c, s, s);
            long t0 = System.nanoTime();
            SamplingLoop.run(mode.equals("ddpm") ? Samplers.DDPM : Samplers.DDIM, d, sched, xT,
                NoisePath.timesteps(sched, ts), noise, SamplerSettings.eta(0), StepCallback.NONE);
            ms.add((System.nanoTime() - t0) / 1e6 / batch); // per image
          }
        }
      }
      case "ceiling" -> {
        // FLOPs of one forward pass per image (counted from the architecture), and what a plain
        // libtorch matmul reaches on these cores
        params = new UNet(cfg).parameterCount();
        out.put("forward_flops_per_image", Flops.forward(cfg, s));
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
          // the ceiling uses every core: OpenBLAS (fp32 mm) gets both threads here, unlike in the model
          org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(2);
          for (Precision q : Precision.values()) {
            Tensor m = torch.randn(batch, batch).to(q.dtype);
            List<Double> g = new ArrayList<>();
            for (int i = 0; i < warmup + steps; i++) {
              try (PointerScope step = new PointerScope()) {
                long t0 = System.nanoTime();
                torch.mm(m, m);
                double sec = (System.nanoTime() - t0) / 1e9;
                if (i >= warmup) {
                  g.add(2.0 * batch * batch * batch / sec / 1e9);
                }
              }
            }
            out.put("matmul_gflops_" + q.name().toLowerCase(), g);
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    out.put("params", params);
    out.put("ms", ms);
    out.put("rss_kb", rss);
    out.put("live_pointers", pointers);
    out.put("peak_rss_kb", peakRssKb());
    System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(out));
  }

  /**
   * What the convolution routes of this CPU cost: for each convolution the kernel checks routed, the
   * median time of its forward and backward at the benchmark's batch on the route and on libtorch's
   * (wrong) fast kernel. The step's share is computed by bench/report.py from "route_ms".
   */
  private static void routeCost(int batch, Map<String, Object> out) {
    List<Map<String, Object>> rows = new ArrayList<>();
    double routeMs = 0;
    double fastMs = 0;
    for (var e : io.jdiffusion.nn.Kernels.routedConvolutions().entrySet()) {
      io.jdiffusion.nn.KernelSpec.Conv c = e.getKey();
      double r = convMs(c, batch, e.getValue());
      double f = convMs(c, batch, io.jdiffusion.nn.ConvRoute.FAST);
      routeMs += r;
      fastMs += f;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("conv", c.describe());
      row.put("route", e.getValue().name());
      row.put("route_ms", r);
      row.put("fast_ms", f);
      rows.add(row);
    }
    out.put("routes", rows);
    out.put("route_ms", routeMs);
    out.put("route_fast_ms", fastMs);
  }

  /** Median ms of forward + backward (input and weight gradients) of one convolution on {@code route}. */
  private static double convMs(io.jdiffusion.nn.KernelSpec.Conv c, int batch, io.jdiffusion.nn.ConvRoute route) {
    List<Double> t = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      try (PointerScope scope = new PointerScope()) {
        Tensor x = torch.randn(batch, c.in(), c.height(), c.width()).to(c.precision().dtype).requires_grad_(true);
        Tensor w = torch.randn(c.out(), c.in(), c.kernel(), c.kernel()).to(c.precision().dtype).requires_grad_(true);
        Tensor b = torch.randn(c.out()).to(c.precision().dtype).requires_grad_(true);
        long t0 = System.nanoTime();
        route.apply(x, w, b, new long[] {c.stride(), c.stride()}, new long[] {c.padding(), c.padding()}).sum().backward();
        if (i >= 2) {
          t.add((System.nanoTime() - t0) / 1e6);
        }
      }
    }
    t.sort(null);
    return t.get(t.size() / 2);
  }

  private static long rssKb() throws Exception {
    return statusField("VmRSS:");
  }

  /** The process's peak RSS (VmHWM) in kB. */
  static long peakRssKb() throws Exception {
    return statusField("VmHWM:");
  }

  private static long statusField(String name) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
