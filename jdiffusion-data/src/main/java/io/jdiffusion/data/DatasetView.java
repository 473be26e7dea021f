package io.jdiffusion.data;

import java.util.List;

/**
 * A data set seen through a transformation of its images (resampling, cropping): the count, labels
 * and class names pass through from the source; subclasses say what the images become.
 */
abstract class DatasetView implements ImageDataset {
  /** The data set being viewed. */
  protected final ImageDataset source;

  protected DatasetView(ImageDataset source) {
    this.source = source;
  }

  @Override
  public int size() {
    return source.size();
  }

  @Override
  public int label(int index) {
    return source.label(index);
  }

  @Override
  public int numClasses() {
    return source.numClasses();
  }

  @Override
  public List<String> classNames() {
    return source.classNames();
  }

  @Override
  public String toString() {
    return describe();
  }
}
