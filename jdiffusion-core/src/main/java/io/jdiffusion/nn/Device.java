package io.jdiffusion.nn;

import java.util.Locale;

/**
 * Where the model's tensors live, spelled as PyTorch spells it: {@code cpu}, {@code cuda} (the first
 * GPU) or {@code cuda:N}.
 *
 * <p>Only {@link Torch} turns a device into libtorch's own: it creates every tensor on the current
 * device ({@link Torch#use}), and copies back to the CPU whatever Java reads. Random numbers are
 * always drawn on the CPU and then moved, so that a seed gives the same weights, noise and images on
 * every device (diffusers' {@code randn_tensor} with a CPU generator does the same).
 *
 * @param cuda whether this is a CUDA device
 * @param index the CUDA device's index; -1 for the CPU and for plain {@code cuda} (the current CUDA
 *     device, the first unless a data-parallel job gives each process its own)
 */
public record Device(boolean cuda, int index) {
  /** The CPU, the default. */
  public static final Device CPU = new Device(false, -1);

  public Device {
    if (cuda ? index < -1 || index > 127 : index != -1) {
      throw new IllegalArgumentException("device index " + index + " is out of range");
    }
  }

  /** The CUDA device {@code index}. */
  public static Device cuda(int index) {
    return new Device(true, index);
  }

  /**
   * Parses {@code cpu}, {@code cuda} or {@code cuda:N} (any case).
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Device parse(String s) {
    String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("cpu")) {
      return CPU;
    }
    if (v.equals("cuda")) {
      return cuda(-1);
    }
    if (v.startsWith("cuda:") && v.length() > 5 && v.length() <= 8 && v.substring(5).chars().allMatch(Character::isDigit)) {
      return cuda(Integer.parseInt(v.substring(5)));
    }
    throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, got '" + s + "'");
  }

  /**
   * This device for the process with local rank {@code localRank} of a data-parallel job: plain
   * {@code cuda} becomes {@code cuda:localRank} (one GPU per process, as torchrun and accelerate do);
   * the CPU and an explicit index stay as they are.
   */
  public Device forLocalRank(int localRank) {
    return cuda && index == -1 ? cuda(localRank) : this;
  }

  @Override
  public String toString() {
    return !cuda ? "cpu" : index == -1 ? "cuda" : "cuda:" + index;
  }

  /** libtorch's device object (a small native object; follows the scope rule). */
  org.bytedeco.pytorch.Device torch() {
    return new org.bytedeco.pytorch.Device(toString());
  }
}
