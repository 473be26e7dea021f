package io.jdiffusion.data;

import java.util.List;

/**
 * A finite, random-access set of equally sized images, optionally labelled.
 *
 * <p>Pixels are floats in [0, 1], channel-major (CHW), {@code channels * height * width} values per
 * image. The diffusion code maps them to [-1, 1] itself.
 */
public interface ImageDataset {
  /** Number of images. */
  int size();

  /** 1 (grey) or 3 (RGB). */
  int channels();

  int height();

  int width();

  /** Copies image {@code index} into {@code dst[offset .. offset + channels*height*width)}, values in [0, 1]. */
  void read(int index, float[] dst, int offset);

  /** Class label of image {@code index} in [0, numClasses()), or -1 when the set is unlabelled. */
  int label(int index);

  /** Number of classes; 0 when unlabelled. */
  int numClasses();

  /** Human-readable class names, {@code numClasses()} of them (empty when unlabelled). */
  List<String> classNames();

  /** Short description for logs, e.g. "fashion-mnist train (60000 x 1x28x28)". */
  String describe();

  /** Values per image. */
  default int imageSize() {
    return channels() * height() * width();
  }
}
