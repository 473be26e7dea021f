package io.jdiffusion.serve;

import io.jdiffusion.util.Progress;

/**
 * One parsed, validated request: everything is checked before it is queued, so that a queued task
 * fails only on what cannot be known in advance (memory, cancellation).
 */
interface Task {
  /** generate, inpaint, img2img or interpolate. */
  String op();

  /** The model it samples from. */
  ServedModel model();

  /** Progress units of the whole task (image-steps). */
  long units();

  /**
   * Refuses previews every {@code every} steps (0: none) where the task cannot make them.
   *
   * @throws ApiError 400
   */
  default void checkPreviews(int every) {}

  /**
   * Computes the result on the calling (worker) thread.
   *
   * @param progress advanced as the computation goes; throws to cancel it
   * @param previews told about x0 estimates, for tasks that make them; never null
   */
  Result run(Progress progress, Previews previews);
}
