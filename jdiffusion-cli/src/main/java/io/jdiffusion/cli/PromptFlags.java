package io.jdiffusion.cli;

import picocli.CommandLine.Option;

/** The text-to-image options of {@code sample} (a Stable Diffusion pipeline folder). */
public final class PromptFlags {
  @Option(names = "--prompt", paramLabel = "TEXT", description = "What the image shows (text-to-image pipelines; "
      + "default: \"\"). Over 77 tokens it is cut, with a note naming what was cut.")
  String prompt;
  @Option(names = "--negative-prompt", paramLabel = "TEXT", description = "What guidance steers away from "
      + "(default: none, the empty prompt).")
  String negative;
  @Option(names = "--width", description = "Image width in pixels, a multiple of 8 (default: the pipeline's, "
      + "512 for SD 1.x).")
  Integer width;
  @Option(names = "--height", description = "Image height in pixels, a multiple of 8 (default: the pipeline's).")
  Integer height;
  @Option(names = "--clip-skip", paramLabel = "K", description = "Condition on the text encoder's output K layers "
      + "before the last (default: 0, the last).", defaultValue = "0")
  int clipSkip;
  @Option(names = "--guidance-rescale", paramLabel = "PHI", description = "Rescale guided outputs towards the "
      + "prompt's spread, 0..1 (default: 0, none; 0.7 for v-prediction models per Lin et al.).", defaultValue = "0")
  double guidanceRescale;
  @Option(names = "--variant", paramLabel = "fp16|bf16", description = "Read these weight files of a pipeline "
      + "folder (default: float32 files, else a variant that is present).")
  String variant;

  /** Whether any text-to-image option was given. */
  boolean given() {
    return prompt != null || negative != null || width != null || height != null || clipSkip != 0
        || guidanceRescale != 0 || variant != null;
  }
}
