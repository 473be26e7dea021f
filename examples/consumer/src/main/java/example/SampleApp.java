package example;

import io.jdiffusion.pipeline.DiffusionPipeline;
import io.jdiffusion.pipeline.Images;
import io.jdiffusion.pipeline.SampleOptions;
import java.nio.file.Path;

/** Samples 16 images from the shipped Fashion-MNIST model with jdiffusion-core alone. */
public class SampleApp {
  public static void main(String[] args) throws Exception {
    try (DiffusionPipeline p = DiffusionPipeline.load("fashion-mnist")) {
      Images images = p.generate(16, SampleOptions.dpmSolver(20).withSeed(7));
      images.writeGrid(Path.of(args.length > 0 ? args[0] : "consumer.png"));
    }
  }
}
