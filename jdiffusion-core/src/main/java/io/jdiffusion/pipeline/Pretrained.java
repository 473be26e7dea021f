package io.jdiffusion.pipeline;

import io.jdiffusion.store.Safetensors;
import io.jdiffusion.store.Sha256;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Models shipped inside the jar, each trained on this project's CI-class machine by its own
 * {@code train} command; the model card beside each file (MODEL_CARD.md) records the command,
 * budget and results. Loading checks the file's SHA-256 against the value pinned here, then the
 * safetensors data checksum.
 */
public enum Pretrained {
  /**
   * Unconditional 1.1 M-parameter U-Net on the embedded Fashion-MNIST subset: the quick-start
   * network trained for an hour. Its default sampler, chosen by
   * measured FID (MODEL_CARD.md), is stored in the file.
   */
  FASHION_MNIST("fashion-mnist", "/io/jdiffusion/models/fashion-mnist/weights.safetensors",
      "e047697db02e08b1c02f8d9e54988aacb5c983a06e1dfc87907a2411f8259355"),
  /**
   * Class-conditional 1.1 M-parameter U-Net on the same subset (label dropout 0.1), trained for an
   * hour, for classifier-free guidance: {@code sample fashion-mnist-cond --class Sneaker --guidance 1}.
   * Its default sampler, chosen by
   * measured FID (MODEL_CARD.md), is stored in the file.
   */
  FASHION_MNIST_COND("fashion-mnist-cond", "/io/jdiffusion/models/fashion-mnist-cond/weights.safetensors",
      "e6f52ff7762968020ba4318fabe03d7c18d87a338a949bdec55fb4399be8ebf6"),
  /**
   * Class-conditional 1.1 M-parameter U-Net on MNIST (the first 10 000 training images, label
   * dropout 0.1), trained for an hour: {@code sample mnist --class 7 --guidance 3}; without --class,
   * unconditional. Its default sampler, chosen by
   * measured FID (MODEL_CARD.md), is stored in the file.
   */
  MNIST("mnist", "/io/jdiffusion/models/mnist/weights.safetensors",
      "1e5437cd2070aeb7b1ea002e4eefc17fe28455e5c2fbaef054e3a2bbd3ad5746");

  /** The name used on the command line. */
  public final String id;
  private final String resource;
  private final String sha256;
  Pretrained(String id, String resource, String sha256) {
    this.id = id;
    this.resource = resource;
    this.sha256 = sha256;
  }

  /** The model used when a command is given none. */
  public static Pretrained defaultModel() {
    return FASHION_MNIST;
  }

  /** The names of the shipped models. */
  public static java.util.List<String> ids() {
    return java.util.Arrays.stream(values()).map(p -> p.id).toList();
  }

  /** Looks a shipped model up by name ("fashion-mnist"). */
  public static Pretrained byId(String id) {
    for (Pretrained p : values()) {
      if (p.id.equals(id.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    return null;
  }

  /** Loads the model, verifying its checksum. */
  public TrainedModel load() {
    byte[] bytes;
    try (InputStream in = Pretrained.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new StoreException("pretrained model " + id + " is missing from the jar (" + resource + ")");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new StoreException("pretrained model " + id + ": cannot read (" + e.getMessage() + ")");
    }
    String actual = Sha256.hex(bytes);
    if (!actual.equals(sha256)) {
      throw new StoreException("pretrained model " + id + ": checksum mismatch (expected " + sha256 + ", got "
          + actual + "); the jar is damaged");
    }
    return TrainedModel.fromContents(Safetensors.read(bytes, resource), resource, true); // sampling defaults inside
  }
}
