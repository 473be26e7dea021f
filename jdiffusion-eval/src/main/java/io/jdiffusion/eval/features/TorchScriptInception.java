package io.jdiffusion.eval.features;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Sha256;
import io.jdiffusion.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Inception-v3 (or any network with the same call signature) from a user-supplied TorchScript file,
 * run by libtorch's {@code torch::jit::load}. No weights ship with the project: export them once
 * with PyTorch (docs/quality.md shows how for pytorch-fid's FID Inception weights).
 *
 * <p>Call signature: {@code forward(x)} with x a float32 [N, 3, 299, 299] batch in [-1, 1],
 * returning either the pool3 features ([N, D] or [N, D, 1, 1]) or a tuple (features, logits), logits
 * [N, C] enabling the Inception Score.
 *
 * <p>Preprocessing, as pytorch-fid (its {@code ImagePathDataset} converts to RGB; its
 * {@code InceptionV3} with {@code resize_input=True, normalize_input=True}), from images in [0, 1]:
 *
 * <ol>
 *   <li>grey images are replicated into R, G and B;
 *   <li>bilinear resize to 299x299, {@code F.interpolate(x, size=(299, 299), mode='bilinear',
 *       align_corners=False)} (no antialiasing);
 *   <li>scale to [-1, 1]: x' = 2 x - 1.
 * </ol>
 *
 * One difference from pytorch-fid remains by construction: pytorch-fid reads 8-bit PNG files, so
 * its inputs are quantised to k/255; generated images here are used at full float precision
 * (evaluate an image folder to reproduce the quantisation).
 */
public final class TorchScriptInception implements FeatureExtractor {
  /** Input resolution of Inception-v3. */
  public static final int SIZE = 299;

  private final JitModule module;
  private final String name;
  private final String fingerprint;
  private final int dim;
  private final boolean hasLogits;

  private TorchScriptInception(JitModule module, String name, String fingerprint, int dim, boolean hasLogits) {
    this.module = module;
    this.name = name;
    this.fingerprint = fingerprint;
    this.dim = dim;
    this.hasLogits = hasLogits;
  }

  /**
   * Loads {@code file} and probes it with one blank image to learn the feature dimension and whether
   * it returns logits.
   *
   * @param name printed with the metrics, e.g. "inception-v3"
   * @throws StoreException if the file is missing, not TorchScript, or has another call signature
   */
  public static TorchScriptInception load(Path file, String name) {
    if (!Files.isRegularFile(file)) {
      throw new StoreException(file + ": no such TorchScript file");
    }
    String hash = sha256(file);
    JitModule m;
    try {
      m = torch.load(file.toString());
    } catch (RuntimeException e) {
      throw new StoreException(file + ": not a TorchScript module (" + firstLine(e.getMessage()) + ")");
    }
    m.eval();
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor[] out = call(m, Torch.cpuTensor(new float[3 * SIZE * SIZE], 1, 3, SIZE, SIZE), file.toString());
      int dim = (int) out[0].size(1);
      return new TorchScriptInception(m, name, name + "@" + hash.substring(0, 16), dim, out[1] != null);
    }
  }

  /** Runs the module: {features [N, D], logits [N, C] or null}. */
  private static Tensor[] call(JitModule m, Tensor x, String where) {
    IValue out;
    try {
      out = m.forward(new IValueVector(new IValue(x)));
    } catch (RuntimeException e) {
      throw new StoreException(where + ": forward([N, 3, 299, 299]) failed (" + firstLine(e.getMessage()) + ")");
    }
    Tensor features;
    Tensor logits = null;
    if (out.isTensor()) {
      features = out.toTensor();
    } else if (out.isTuple() && out.toTuple().elements().size() >= 1 && out.toTuple().elements().get(0).isTensor()) {
      var elements = out.toTuple().elements();
      features = elements.get(0).toTensor();
      if (elements.size() >= 2 && elements.get(1).isTensor()) {
        logits = elements.get(1).toTensor();
      }
    } else if (out.isTensorList() && out.toTensorVector().size() >= 1) {
      TensorVector v = out.toTensorVector();
      features = v.get(0);
      logits = v.size() >= 2 ? v.get(1) : null;
    } else {
      throw new StoreException(where + ": forward must return a tensor or a tuple (features, logits)");
    }
    long n = x.size(0);
    if (features.dim() < 2 || features.size(0) != n || features.numel() != n * features.size(1)) {
      throw new StoreException(where + ": features must be [N, D] or [N, D, 1, 1], got "
          + java.util.Arrays.toString(Torch.shape(features)));
    }
    features = features.reshape(n, features.size(1));
    if (logits != null && (logits.dim() != 2 || logits.size(0) != n)) {
      throw new StoreException(where + ": logits must be [N, C], got " + java.util.Arrays.toString(Torch.shape(logits)));
    }
    return new Tensor[] {features, logits};
  }

  /**
   * The preprocessing of the class comment: [n, c, h, w] in [0, 1] (c = 1 or 3) to [n, 3, 299, 299]
   * in [-1, 1].
   */
  public static Tensor preprocess(Tensor x) {
    Tensor rgb = x.size(1) == 1 ? x.expand(x.size(0), 3, x.size(2), x.size(3)) : x;
    Tensor resized = x.size(2) == SIZE && x.size(3) == SIZE
        ? rgb
        : torch.upsample_bilinear2d(rgb.contiguous(), new long[] {SIZE, SIZE}, false);
    return resized.mul(Torch.s(2)).sub(Torch.s(1)).contiguous();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public boolean hasLogits() {
    return hasLogits;
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String checkShape(int channels, int height, int width) {
    return channels == 1 || channels == 3 ? null : name + " takes 1- or 3-channel images, got " + channels;
  }

  @Override
  public Features extract(float[] images, int n, int channels, int height, int width) {
    String bad = checkShape(channels, height, width);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
      Tensor[] out = call(module, preprocess(Torch.cpuTensor(images, n, channels, height, width)), name);
      double[][] logits = out[1] == null ? null : ClassifierExtractor.rows(Torch.toFloats(out[1]), n);
      return new Features(ClassifierExtractor.rows(Torch.toFloats(out[0]), n), logits);
    }
  }

  @Override
  public void close() {
    module.close();
  }

  private static String sha256(Path file) {
    try {
      return Sha256.hex(file);
    } catch (IOException e) {
      throw new StoreException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static String firstLine(String m) {
    if (m == null) {
      return "no message";
    }
    String line = m.strip().split("\n", 2)[0];
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
