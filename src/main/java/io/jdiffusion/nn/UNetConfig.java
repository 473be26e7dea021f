package io.jdiffusion.nn;

import java.util.List;

/**
 * Architecture of the noise-prediction U-Net (Ho et al. 2020, Sec. 4 and App. B; diffusers'
 * {@code UNet2DModel}). Saved as JSON beside the weights, so a checkpoint rebuilds its model alone.
 *
 * @param inChannels image channels: 1 grey, 3 RGB; the output has the same count
 * @param imageSize height = width of the images, in pixels
 * @param baseChannels channels at the first level; level i has baseChannels * channelMults[i]
 * @param channelMults one multiplier per resolution level; a level halves the resolution after it
 * @param numResBlocks residual blocks per level on the way down (one more on the way up)
 * @param attentionResolutions resolutions (pixels) at which self-attention follows each ResBlock
 * @param heads attention heads; channels at an attention level must divide by it
 * @param dropout dropout probability inside ResBlocks during training
 * @param groups GroupNorm groups; every channel count must divide by it
 * @param numClasses classes for conditional models, 0 for unconditional; label index numClasses
 *     means "no label" (classifier-free guidance)
 */
public record UNetConfig(
    int inChannels,
    int imageSize,
    int baseChannels,
    List<Integer> channelMults,
    int numResBlocks,
    List<Integer> attentionResolutions,
    int heads,
    double dropout,
    int groups,
    int numClasses) {

  public UNetConfig {
    channelMults = List.copyOf(channelMults);
    attentionResolutions = List.copyOf(attentionResolutions);
    check(inChannels >= 1, "inChannels must be >= 1, got " + inChannels);
    check(imageSize >= 4 && imageSize <= 1024, "imageSize must be between 4 and 1024, got " + imageSize);
    check(baseChannels >= 1, "baseChannels must be >= 1, got " + baseChannels);
    check(!channelMults.isEmpty(), "channelMults must not be empty");
    check(numResBlocks >= 1, "numResBlocks must be >= 1, got " + numResBlocks);
    check(heads >= 1, "heads must be >= 1, got " + heads);
    check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
    check(groups >= 1, "groups must be >= 1, got " + groups);
    check(numClasses >= 0, "numClasses must be >= 0, got " + numClasses);
    check(channelMults.size() <= 8, "at most 8 levels (channel multipliers), got " + channelMults.size());
    java.util.List<Integer> resolutions = new java.util.ArrayList<>();
    for (int i = 0, r = imageSize; i < channelMults.size(); i++, r = (r + 1) / 2) {
      resolutions.add(r);
    }
    for (int a : attentionResolutions) {
      check(resolutions.contains(a), "attention resolution " + a + " is not one of the model's resolutions " + resolutions);
    }
    int res = imageSize;
    for (int i = 0; i < channelMults.size(); i++) {
      int ch = baseChannels * channelMults.get(i);
      check(channelMults.get(i) >= 1, "channel multipliers must be >= 1");
      check(ch % groups == 0, "channels " + ch + " at level " + i + " not divisible by groups " + groups);
      if (attentionResolutions.contains(res) || i == channelMults.size() - 1) {
        check(ch % heads == 0, "channels " + ch + " at level " + i + " not divisible by heads " + heads);
      }
      res = (res + 1) / 2;
    }
    check(baseChannels % groups == 0, "baseChannels not divisible by groups " + groups);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Channels of the time embedding: 4 x baseChannels, as in DDPM. */
  public int timeEmbedDim() {
    return 4 * baseChannels;
  }

  /** The small preset for 28x28 grey images, trainable on a laptop CPU in minutes. */
  public static UNetConfig tiny(int channels, int imageSize, int numClasses) {
    return new UNetConfig(
        channels, imageSize, 32, List.of(1, 2, 2), 1, List.of(lowest(imageSize, 3)), 4, 0.0, 8, numClasses);
  }

  /** The GUIDE's reference U-Net (6.47 M parameters at 3x32x32): base 64, mults 1,2,2, two ResBlocks. */
  public static UNetConfig reference(int channels, int imageSize, int numClasses) {
    return new UNetConfig(
        channels, imageSize, 64, List.of(1, 2, 2), 2, List.of(lowest(imageSize, 3)), 4, 0.1, 32, numClasses);
  }

  /** The resolution of the lowest of {@code levels} levels (where the presets put attention). */
  public static int lowest(int imageSize, int levels) {
    int res = imageSize;
    for (int i = 1; i < levels; i++) {
      res = (res + 1) / 2;
    }
    return res;
  }
}
