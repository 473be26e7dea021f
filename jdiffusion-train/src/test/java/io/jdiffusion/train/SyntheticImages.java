package io.jdiffusion.train;

import io.jdiffusion.data.ImageDataset;
import java.util.List;

/** A small in-memory labelled dataset: image i is a bright square at a position set by its class. */
final class SyntheticImages implements ImageDataset {
  private final int n;
  private final int size;

  SyntheticImages(int n, int size) {
    this.n = n;
    this.size = size;
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public int height() {
    return size;
  }

  @Override
  public int width() {
    return size;
  }

  @Override
  public void read(int index, float[] dst, int offset) {
    int c = label(index);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        boolean on = (c == 0 ? x < size / 2 : y < size / 2) && ((x + y + index) % 3 != 0);
        dst[offset + y * size + x] = on ? 0.9f : 0.1f;
      }
    }
  }

  @Override
  public int label(int index) {
    return index % 2;
  }

  @Override
  public int numClasses() {
    return 2;
  }

  @Override
  public List<String> classNames() {
    return List.of("left", "top");
  }

  @Override
  public String describe() {
    return "synthetic (" + n + " x 1x" + size + "x" + size + ")";
  }
}
