package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Forward;
import org.bytedeco.pytorch.Tensor;

/**
 * What a text-to-image pipeline needs from a VAE at its last step (diffusers'
 * {@code vae.decode(latents / scaling_factor [+ shift_factor]).sample}): {@link AutoencoderKL}, or
 * {@link AutoencoderTiny} as a fast approximate stand-in with the same latent space.
 */
public interface LatentDecoder extends AutoCloseable {
  /** Images [B, C, H, W] in about [-1, 1] (float32, not clamped) from raw latents. */
  Tensor decode(Tensor z, Forward f);

  /** Raw latents from the latents a diffusion model works in: latents / scaling_factor + shift_factor. */
  Tensor unscale(Tensor latents);

  /** Pixels per latent along each side. */
  int downscale();

  @Override
  void close();
}
