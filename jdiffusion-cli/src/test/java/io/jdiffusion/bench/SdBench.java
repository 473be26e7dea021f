package io.jdiffusion.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jdiffusion.interop.UNet2DConditionFolder;
import io.jdiffusion.nn.Forward;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.nn.conditional.UNet2DCondition;
import io.jdiffusion.pipeline.DiffusionPipeline;
import io.jdiffusion.pipeline.PromptOptions;
import io.jdiffusion.pipeline.SampleOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * The Java side of the large-model rows (bench/sd.sh): the twin of bench/sd_bench.py on a pipeline
 * folder it built (full-size architectures at random weights). One measurement per process, printed as
 * one JSON line: the milliseconds of each repeat after an untimed first call (which also runs the kernel
 * self-checks; its time is reported as first_ms) and the peak RSS.
 *
 * <pre>
 * java -cp "$(bench/classpath.sh)" io.jdiffusion.bench.SdBench step DIR fp32|bf16 REPEATS
 * java -cp "$(bench/classpath.sh)" io.jdiffusion.bench.SdBench image DIR fp32|bf16 REPEATS
 * java -cp "$(bench/classpath.sh)" io.jdiffusion.bench.SdBench unet2d-step DIR fp32|bf16 REPEATS
 * </pre>
 *
 * step: one classifier-free-guided UNet step at 512x512, batch 2 (latents [2, 4, 64, 64], 77 text states);
 * image: a 512x512 image in 1 step without guidance (SD-turbo's use), prompt to pixels; unet2d-step: one
 * forward of a UNet2DModel folder (google/ddpm-celebahq-256's architecture) at 256x256, batch 1.
 */
public final class SdBench {
  static final String PROMPT = "a cinematic shot of a baby racoon wearing an intricate italian priest robe";

  private SdBench() {}

  public static void main(String[] a) throws Exception {
    if (a.length != 4) {
      System.err.println("usage: SdBench step|image|unet2d-step DIR fp32|bf16 REPEATS");
      System.exit(2);
    }
    Path dir = Path.of(a[1]);
    Precision p = Precision.parse(a[2]);
    int repeats = Integer.parseInt(a[3]);
    Torch.init(Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS", "2")));
    double[] first = new double[1];
    List<Double> ms = new ArrayList<>();
    String mode;
    if (a[0].equals("step")) {
      mode = "sd-unet-step-512-cfg";
      try (UNet2DCondition net = UNet2DConditionFolder.load(dir.resolve("unet"), w -> { })) {
        int width = net.config().crossAttentionDim();
        try (PointerScope scope = new PointerScope()) {
          var g = Torch.cpuGenerator(0);
          Tensor x = Torch.randn(g, 2, 4, 64, 64);
          Tensor c = Torch.randn(g, 2, 77, width);
          Forward f = new Forward(p, false);
          time(() -> {
            try (PointerScope s = new PointerScope(); InferenceMode im = new InferenceMode()) {
              net.forward(x, new double[] {500, 500}, c, f);
            }
          }, repeats, first, ms);
        }
      }
    } else if (a[0].equals("image")) {
      mode = "sd-image-512-1step";
      try (DiffusionPipeline pipe = DiffusionPipeline.load(dir)) {
        PromptOptions prompt = PromptOptions.of(PROMPT).withGuidance(0).withSize(512, 512);
        SampleOptions o = pipe.defaults().toBuilder().steps(1).precision(p).build();
        time(() -> pipe.generate(1, prompt, o), repeats, first, ms);
      }
    } else if (a[0].equals("unet2d-step")) {
      mode = "unet2d-step-256";
      var loaded = io.jdiffusion.interop.DiffusersFolder.load(dir, w -> { });
      try (io.jdiffusion.nn.UNet net = loaded.net(); PointerScope scope = new PointerScope()) {
        Tensor x = Torch.randn(Torch.cpuGenerator(0), 1, 3, 256, 256);
        Forward f = new Forward(p, false);
        time(() -> {
          try (PointerScope s = new PointerScope(); InferenceMode im = new InferenceMode()) {
            net.forward(x, new double[] {500}, null, f);
          }
        }, repeats, first, ms);
      }
    } else {
      throw new IllegalArgumentException("mode must be step, image or unet2d-step: " + a[0]);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("impl", "jdiffusion");
    out.put("mode", mode);
    out.put("model", dir.getFileName().toString());
    out.put("precision", p.name().toLowerCase(Locale.ROOT));
    out.put("threads", org.bytedeco.pytorch.global.torch.get_num_threads());
    out.put("first_ms", Math.round(first[0] * 10) / 10.0);
    out.put("ms", ms);
    out.put("peak_rss_kb", Bench.peakRssKb());
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }

  private static void time(Runnable call, int repeats, double[] first, List<Double> ms) {
    long t0 = System.nanoTime();
    call.run();
    first[0] = (System.nanoTime() - t0) / 1e6;
    for (int r = 0; r < repeats; r++) {
      t0 = System.nanoTime();
      call.run();
      ms.add(Math.round((System.nanoTime() - t0) / 1e5) / 10.0);
    }
  }
}
