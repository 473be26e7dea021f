package io.jdiffusion.report;

import io.jdiffusion.viz.ReverseProcess;
import io.jdiffusion.viz.LabeledStrip;
import io.jdiffusion.viz.ForwardStrip;
import io.jdiffusion.viz.DenoisingTrace;
import io.jdiffusion.viz.AnimatedGif;
import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.util.Progress;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The three pictures of a model: the forward-process strip (one image noised at t = 0, k, 2k, ...,
 * T), the reverse-process strip (x_t and the x0 estimate of a few samples at evenly spaced steps)
 * and an animated GIF of the denoising, written into one folder.
 */
public final class RunPictures {
  /** File name of the forward-process strip. */
  public static final String FORWARD = "forward.png";
  /** File name of the reverse-process strip. */
  public static final String REVERSE = "reverse.png";
  /** File name of the denoising animation. */
  public static final String GIF = "denoising.gif";

  private RunPictures() {}

  /**
   * What to draw.
   *
   * @param images samples in the reverse strip and the GIF
   * @param columns states shown in the reverse strip (x_T, evenly spaced steps, the output)
   * @param frames states shown in the GIF
   * @param forwardEvery interval of the forward strip's timesteps
   * @param forwardSeed seed of the forward strip's noise draw
   * @param frameMs display time of a GIF frame (the last is held 2 s)
   * @param sampling sampler, steps and seed of the reverse process (image i uses seed + i)
   */
  public record Options(int images, int columns, int frames, int forwardEvery, long forwardSeed, int frameMs,
      SampleOptions sampling) {
    public Options {
      require(images >= 1 && images <= 64, "the number of images must be in [1, 64], got " + images);
      require(columns >= 2 && columns <= 1001, "the reverse strip needs at least 2 columns and at most 1001, got " + columns);
      require(frames >= 2 && frames <= 1001, "the GIF needs at least 2 frames and at most 1001, got " + frames);
      require(forwardEvery >= 1, "the forward interval must be >= 1, got " + forwardEvery);
      require(frameMs >= 10 && frameMs <= 655_350, "the frame time must be between 10 ms and 655350 ms (GIF stores "
          + "1/100 s in 16 bits), got " + frameMs);
    }

    /** 4 images, 11 columns, up to 30 frames of 80 ms, forward every T/10, seed 0, the given sampling. */
    public static Options defaults(int trainSteps, SampleOptions sampling) {
      return new Options(4, 11, 30, Math.max(1, trainSteps / 10), 0, 80, sampling);
    }
  }

  /** Where the pictures went. */
  public record Written(Path forward, Path reverse, Path gif, int gifFrames) {}

  /**
   * Draws the pictures of {@code model} into {@code dir}.
   *
   * @param forwardImage C x S x S values in [0, 1] for the forward strip, or null to use the first
   *     sample of the reverse process
   * @param progress advanced by {@code images} units per sampling step
   */
  public static Written write(TrainedModel model, float[] forwardImage, Path dir, Options o, Progress progress)
      throws IOException {
    UNetConfig c = model.config();
    int size = c.imageSize();
    int ch = c.inChannels();
    int per = ch * size * size;
    int n = o.images();
    int last = o.sampling().steps();
    int[] ts = ForwardStrip.timesteps(model.schedule().steps(), o.forwardEvery()); // checked before any sampling
    int[] stripStates = ReverseProcess.evenly(o.columns(), last);
    int[] gifStates = ReverseProcess.evenly(o.frames(), last);
    TreeSet<Integer> all = new TreeSet<>();
    for (int k : stripStates) {
      all.add(k);
    }
    for (int k : gifStates) {
      all.add(k);
    }
    SortedMap<Integer, DenoisingTrace.Snapshot> states = ReverseProcess.run(model, n, o.sampling(),
        all.stream().mapToInt(Integer::intValue).toArray(), progress);
    int upscale = upscale(size);

    // Reverse strip: per sample one row of x_t and one row of the x0 estimate.
    float[] strip = new float[2 * n * stripStates.length * per];
    String[] rowLabels = new String[2 * n];
    String[] colLabels = new String[stripStates.length];
    for (int j = 0; j < stripStates.length; j++) {
      DenoisingTrace.Snapshot s = states.get(stripStates[j]);
      colLabels[j] = "t=" + s.paperT();
      for (int i = 0; i < n; i++) {
        place(s.xt(), i, per, strip, (2 * i) * stripStates.length + j);
        place(s.x0(), i, per, strip, (2 * i + 1) * stripStates.length + j);
      }
    }
    for (int i = 0; i < n; i++) {
      rowLabels[2 * i] = "x_t";
      rowLabels[2 * i + 1] = "x0 est.";
    }
    Path reverse = dir.resolve(REVERSE);
    ImageGrid.write(reverse, LabeledStrip.render(strip, 2 * n, stripStates.length, ch, size, size, upscale, rowLabels,
        colLabels, o.sampling().sampler().name() + ", " + last + " steps, seeds " + o.sampling().seed() + ".."
            + (o.sampling().seed() + n - 1)));

    // Forward strip.
    float[] x0 = forwardImage;
    if (x0 == null) {
      x0 = new float[per];
      place(states.get(last).xt(), 0, per, x0, 0);
    }
    String[] tLabels = new String[ts.length];
    for (int j = 0; j < ts.length; j++) {
      tLabels[j] = "t=" + ts[j];
    }
    Path forward = dir.resolve(FORWARD);
    ImageGrid.write(forward, LabeledStrip.render(ForwardStrip.frames(model.schedule(), x0, ch, size, size, ts,
        o.forwardSeed()), 1, ts.length, ch, size, size, upscale, null, tLabels,
        "q(x_t | x_0), one noise draw (seed " + o.forwardSeed() + ")"));

    // GIF: x_t above the x0 estimate, one frame per chosen state.
    List<BufferedImage> frames = new ArrayList<>();
    for (int k : gifStates) {
      DenoisingTrace.Snapshot s = states.get(k);
      float[] frame = new float[2 * n * per];
      for (int i = 0; i < n; i++) {
        place(s.xt(), i, per, frame, i);
        place(s.x0(), i, per, frame, n + i);
      }
      String caption = String.format(Locale.ROOT, "step %d/%d  t=%d", k, last, s.paperT());
      frames.add(LabeledStrip.render(frame, 2, n, ch, size, size, upscale, new String[] {"x_t", "x0 est."}, null,
          caption));
    }
    Path gif = dir.resolve(GIF);
    AnimatedGif.write(gif, frames, o.frameMs(), 2000);
    return new Written(forward, reverse, gif, frames.size());
  }

  /** Enlargement that brings an image to about 64 pixels (28 and 32 become 56 and 64). */
  static int upscale(int size) {
    return Math.max(1, 64 / size);
  }

  /** Copies image i of {@code from} (model range) to slot {@code slot} of {@code to}, mapped to [0, 1]. */
  private static void place(float[] from, int i, int per, float[] to, int slot) {
    for (int k = 0; k < per; k++) {
      to[slot * per + k] = Math.min(1f, Math.max(0f, (from[i * per + k] + 1) / 2));
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
