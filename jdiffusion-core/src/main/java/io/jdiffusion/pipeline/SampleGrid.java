package io.jdiffusion.pipeline;

import io.jdiffusion.image.ImageGrid;
import io.jdiffusion.nn.Precision;
import io.jdiffusion.sampling.Samplers;
import java.nio.file.Path;

/** The preview grid a training run draws: DDIM with its defaults, seed 0, a conditional model's classes in turn. */
public final class SampleGrid {
  private SampleGrid() {}

  /** Samples {@code n} images from {@code m} and writes them as a square-ish grid PNG. */
  public static void write(TrainedModel m, Path png, int n, Precision precision) {
    SampleOptions o = SampleOptions.defaultsFor(Samplers.DDIM, m.schedule()).toBuilder().precision(precision).build();
    float[] images = Generate.images(m, n, Conditioning.inTurn(m, n), o, null);
    int size = m.config().imageSize();
    ImageGrid.writeGrid(png, images, n, m.config().inChannels(), size, size, (int) Math.ceil(Math.sqrt(n)),
        ImageGrid.DEFAULT_PADDING, ImageGrid.upscaleFor(size));
  }
}
