package io.jdiffusion.cli;

import io.jdiffusion.nn.Device;
import io.jdiffusion.nn.Torch;
import picocli.CommandLine.Option;

/**
 * {@code --device}, the same for every command that computes: where the model's tensors live. The
 * value goes to {@link Torch#use}, the one place that creates and moves tensors.
 */
public final class DeviceFlag {
  @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
      description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}). cuda needs the GPU build (mvn -Pcuda) and an "
          + "NVIDIA GPU; in a job of several processes plain cuda gives each its own GPU (cuda:LOCAL_RANK).")
  String device;

  /** The device asked for, checked. */
  Device parsed() {
    try {
      return Device.parse(device);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--device must be cpu, cuda or cuda:N, got '" + device + "'");
    }
  }

  /** Makes the device current for this process (process {@code localRank} of a job on this machine). */
  void use(int localRank) {
    Torch.use(parsed().forLocalRank(localRank));
  }

  /** Makes the device current for a process that is alone on its machine. */
  void use() {
    use(0);
  }
}
