package io.jdiffusion.viz;

import io.jdiffusion.diffusion.ImageNoise;
import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.pipeline.Conditioning;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.sampling.Denoiser;
import io.jdiffusion.sampling.SamplingLoop;
import io.jdiffusion.util.Progress;
import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * Samples a few images while a {@link DenoisingTrace} records chosen states of the run. Seeds are
 * those of {@code Generate.images} and labels its {@code Conditioning.inTurn} ones, so the last state
 * equals the images that {@code Generate.images} draws with the same options and those labels.
 */
public final class ReverseProcess {
  private ReverseProcess() {}

  /**
   * {@code count} state indices spread evenly over states 0..{@code last}, always including both ends
   * (fewer when there are fewer states).
   */
  public static int[] evenly(int count, int last) {
    if (count < 1) {
      throw new IllegalArgumentException("need at least one frame, got " + count);
    }
    if (count == 1) {
      return new int[] {last};
    }
    TreeSet<Integer> picked = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      picked.add((int) Math.round((double) i * last / (count - 1)));
    }
    return picked.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Runs the sampler of {@code o} on images seed .. seed + n - 1 (one batch) and records the states
   * in {@code keep}.
   *
   * @param keep state indices to record, each in [0, o.steps()]
   * @param progress advanced by n units per step
   * @return the recorded states by index
   */
  public static SortedMap<Integer, DenoisingTrace.Snapshot> run(TrainedModel model, int n, SampleOptions o,
      int[] keep, Progress progress) {
    if (n < 1) {
      throw new IllegalArgumentException("the number of images must be >= 1, got " + n);
    }
    for (int k : keep) {
      if (k < 0 || k > o.steps()) {
        throw new IllegalArgumentException("state " + k + " is outside [0, " + o.steps() + "]");
      }
    }
    UNetConfig c = model.config();
    int[] labels = Conditioning.inTurn(model, n); // a conditional model shows its classes in turn
    int[] wanted = keep.clone();
    Arrays.sort(wanted);
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Denoiser d = Conditioning.denoiser(model, labels, 1.0, o.precision());
      DenoisingTrace trace = new DenoisingTrace(k -> Arrays.binarySearch(wanted, k) >= 0);
      ImageNoise noise = ImageNoise.consecutive(o.seed(), n);
      Tensor xT = noise.next(c.inChannels(), c.imageSize(), c.imageSize());
      Tensor x = SamplingLoop.run(o.sampler(), d, model.schedule(), xT, o.steps(), o.spacing(), noise, o.settings(),
          trace.andThen(step -> progress.update((long) (step.index() + 1) * n)));
      trace.finish(x);
      return trace.states();
    }
  }
}
