package io.jdiffusion.pipeline;

import io.jdiffusion.nn.Device;

/**
 * Where and how one pipeline computes, chosen when it is loaded ({@link DiffusionPipeline#load(String,
 * PipelineSettings)}): its device and its libtorch thread count. The defaults keep the process-wide
 * behaviour: the device {@code Torch.use} chose (the CPU unless a program chose another) and the thread
 * count as it is (at first one per physical core).
 *
 * <p>Two pipelines may run at once on two threads with different settings: the device is a per-thread
 * choice for the duration of each call, and libtorch's OpenMP thread count belongs to the calling
 * thread.
 *
 * @param device where the network's weights and every tensor of its calls live; null: the process's device
 * @param threads intra-op threads for this pipeline's calls; 0: as they are
 */
public record PipelineSettings(Device device, int threads) {
  /** The process-wide behaviour: the process's device, the threads as they are. */
  public static final PipelineSettings DEFAULT = new PipelineSettings(null, 0);

  public PipelineSettings {
    if (threads < 0 || threads > 1024) {
      throw new IllegalArgumentException("threads must be between 0 (as they are) and 1024, got " + threads);
    }
  }

  /** These settings on {@code device} ({@code cpu}, {@code cuda} or {@code cuda:N}). */
  public PipelineSettings withDevice(String device) {
    return new PipelineSettings(Device.parse(device), threads);
  }

  /** These settings with {@code threads} intra-op threads. */
  public PipelineSettings withThreads(int threads) {
    return new PipelineSettings(device, threads);
  }
}
