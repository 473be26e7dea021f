package io.jdiffusion.report;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.store.Json;
import io.jdiffusion.train.TrainConfig;
import io.jdiffusion.viz.AnimatedGif;
import io.jdiffusion.viz.LabeledStrip;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run directory made without training: the quick preset's config.json (data spec replaced by
 * {@code data}), a falling loss in metrics.csv over two sessions, sample grids every 100 steps,
 * strips, a GIF and dummy checkpoint files. Needs no libtorch.
 */
final class SyntheticRun {
  private SyntheticRun() {}

  static Path create(Path dir, String data, int grids) throws IOException {
    Files.createDirectories(dir);
    String config = Json.write(TrainConfig.quick()).replace("\"fashion-mnist-subset\"", Json.write(data));
    Files.writeString(dir.resolve(RunLayout.CONFIG), config, StandardCharsets.UTF_8);
    StringBuilder csv = new StringBuilder("step,loss,lr,grad_norm,images_per_s,elapsed_s\n");
    for (int i = 1; i <= 60; i++) {
      double loss = 0.035 + 0.9 * Math.exp(-i / 8.0) + 0.01 * Math.sin(i * 1.7);
      double elapsed = i <= 40 ? i * 10.0 : (i - 40) * 10.0; // resumed after row 40
      csv.append(String.format(Locale.ROOT, "%d,%.6f,%.3e,%.4f,%.2f,%.1f%n", i * 25, loss, 2e-3, 0.5, 160.0, elapsed));
    }
    Files.writeString(dir.resolve(RunLayout.METRICS), csv.toString(), StandardCharsets.UTF_8);
    for (int g = 1; g <= grids; g++) {
      ImageGrid.writeGrid(dir.resolve(RunLayout.SAMPLES).resolve(String.format("step-%07d.png", g * 100)),
          pattern(16, 1, 8, g), 16, 1, 8, 8, 4, 2, 2);
    }
    ImageGrid.writeGrid(dir.resolve(RunLayout.SAMPLES).resolve("final.png"), pattern(16, 1, 8, 99), 16, 1, 8, 8, 4, 2, 2);
    Files.createDirectories(dir.resolve(RunLayout.STRIPS));
    ImageGrid.write(RunLayout.forwardStrip(dir), LabeledStrip.render(pattern(5, 1, 8, 3), 1, 5, 1, 8, 8, 4, null,
        new String[] {"t=0", "t=250", "t=500", "t=750", "t=1000"}, "forward"));
    ImageGrid.write(RunLayout.reverseStrip(dir), LabeledStrip.render(pattern(6, 1, 8, 4), 2, 3, 1, 8, 8, 4,
        new String[] {"x_t", "x0 est."}, new String[] {"t=1000", "t=500", "t=0"}, "reverse"));
    List<BufferedImage> frames = new ArrayList<>();
    for (int f = 0; f < 4; f++) {
      frames.add(LabeledStrip.render(pattern(2, 1, 8, f), 1, 2, 1, 8, 8, 4, null, null, "frame " + f));
    }
    AnimatedGif.write(RunLayout.gif(dir), frames, 80, 1000);
    Files.createDirectories(dir.resolve(RunLayout.CHECKPOINTS));
    Files.write(dir.resolve(RunLayout.CHECKPOINTS).resolve("step-0001000.safetensors"), new byte[2048]);
    Files.write(dir.resolve(RunLayout.CHECKPOINTS).resolve("step-0001500.safetensors"), new byte[4096]);
    Files.write(dir.resolve(RunLayout.WEIGHTS), new byte[1024]);
    return dir;
  }

  /** n images of c x s x s with stripes that depend on {@code seed}. */
  static float[] pattern(int n, int c, int s, int seed) {
    float[] v = new float[n * c * s * s];
    for (int i = 0; i < v.length; i++) {
      v[i] = ((i * (seed + 3) + i / s) % 7) / 6f;
    }
    return v;
  }
}
