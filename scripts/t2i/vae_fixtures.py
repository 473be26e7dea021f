#!/usr/bin/env python3
"""Writes the VAE parity fixtures with diffusers' own AutoencoderKL and AutoencoderTiny, so that
jdiffusion's io.jdiffusion.nn.vae tests compare against diffusers' numbers.

Regenerate (from the repository root, with diffusers' and huggingface_hub's public sources at
/tmp/diffusers and /tmp/hfhub; measured with diffusers commit 58eb52c0 on PyTorch 2.6):

    PYTORCH26_EXTRA=/tmp/diffusers:/tmp/hfhub PYTHONPATH=/tmp/diffusers/src:/tmp/hfhub/src \
        ../shared/tools/pytorch26 run scripts/t2i/vae_fixtures.py \
        --out src/test/resources/io/jdiffusion/t2i/vae

Every weight of each tiny random model is perturbed (GroupNorm weights and biases included), then
rounded to the dtype its file stores, so the float32 reference runs on exactly the stored values.
Each fixture NAME/ is a diffusers `vae/` folder (config.json and the weights, as save_pretrained writes
them) plus io.safetensors (float32) with diffusers' inputs and outputs:

  kl/     AutoencoderKL, block_out_channels [32, 64], 1 layer, 32 groups, sample_size 16 (so diffusers'
          default tiles are 16 px / 8 latents), weights as the fp16 variant. image -> mean, logvar (as
          DiagonalGaussianDistribution clamps it), noise, sample = mean + std * noise; z -> decoded;
          enable_tiling(): z_big [1, 4, 14, 14] -> tiled (3 x 3 blended tiles, edge tiles partial);
          image_big [1, 3, 28, 28] -> tiled_mean, tiled_logvar.
  shift/  AutoencoderKL with shift_factor and scaling_factor, no quant convs, no mid-block attention,
          three levels of [8, 16, 16], 2 layers, 4 groups, 16 latent channels, float32 weights; the
          logvar half of conv_out is enlarged so that the clamp to [-30, 20] acts.
  tiny/   AutoencoderTiny (TAESD layout, small): image -> latents; z -> decoded; bf16 variant weights.

With --big DIR it instead writes the full-size Stable Diffusion VAE (block_out_channels
128, 256, 512, 512, 2 layers, 83.7 M parameters) at random weights to DIR/vae and a decode of a
[1, 4, 64, 64] latent to DIR/io.safetensors (the opt-in AutoencoderKLTest check runs this itself).
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file

from diffusers.models.autoencoders.autoencoder_kl import AutoencoderKL
from diffusers.models.autoencoders.autoencoder_tiny import AutoencoderTiny


def perturb(model, seed, dtype):
    """Adds noise to every parameter (scaled to its fan-in), then rounds it to `dtype` and back."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.add_(torch.randn(p.shape, generator=g) * (0.5 / fan_in ** 0.5))
            else:
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
            p.copy_(p.to(dtype).float())


def save(model, folder, dtype, variant):
    os.makedirs(folder, exist_ok=True)
    model.save_config(folder)
    name = 'diffusion_pytorch_model' + ('.' + variant if variant else '') + '.safetensors'
    state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(folder, name), metadata={'format': 'pt'})


def write_io(folder, tensors):
    save_file({k: v.detach().float().contiguous() for k, v in tensors.items()}, os.path.join(folder, 'io.safetensors'))


def image(g, *shape):
    return torch.rand(shape, generator=g) * 2 - 1


def kl_fixture(out):
    torch.manual_seed(0)
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=['DownEncoderBlock2D'] * 2,
                        up_block_types=['UpDecoderBlock2D'] * 2, block_out_channels=[32, 64], layers_per_block=1,
                        latent_channels=4, norm_num_groups=32, sample_size=16).eval()
    perturb(vae, 1, torch.float16)
    g = torch.Generator().manual_seed(2)
    x = image(g, 2, 3, 16, 16)
    z = torch.randn(2, 4, 8, 8, generator=g)
    z_big = torch.randn(1, 4, 14, 14, generator=g)
    x_big = image(g, 1, 3, 28, 28)
    with torch.no_grad():
        post = vae.encode(x).latent_dist
        noise = torch.randn(post.mean.shape, generator=g)
        sample = post.mean + post.std * noise
        decoded = vae.decode(z).sample
        vae.enable_tiling()
        assert vae.tile_sample_min_size == 16 and vae.tile_latent_min_size == 8
        tiled = vae.decode(z_big).sample
        tiled_post = vae.encode(x_big).latent_dist
        vae.disable_tiling()
    d = os.path.join(out, 'kl')
    save(vae, d, torch.float16, 'fp16')
    write_io(d, dict(image=x, mean=post.mean, logvar=post.logvar, noise=noise, sample=sample, z=z,
                     decoded=decoded, z_big=z_big, tiled=tiled, image_big=x_big, tiled_mean=tiled_post.mean,
                     tiled_logvar=tiled_post.logvar))


def shift_fixture(out):
    torch.manual_seed(3)
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=['DownEncoderBlock2D'] * 3,
                        up_block_types=['UpDecoderBlock2D'] * 3, block_out_channels=[8, 16, 16], layers_per_block=2,
                        latent_channels=16, norm_num_groups=4, sample_size=32, scaling_factor=0.3611,
                        shift_factor=0.1159, use_quant_conv=False, use_post_quant_conv=False,
                        mid_block_add_attention=False, force_upcast=True).eval()
    perturb(vae, 4, torch.float32)
    with torch.no_grad():  # logvar channels of the encoder's output large enough to reach the clamp
        vae.encoder.conv_out.weight[16:] *= 40
        vae.encoder.conv_out.bias[16:] *= 40
    g = torch.Generator().manual_seed(5)
    x = image(g, 1, 3, 16, 16)
    z = torch.randn(1, 16, 4, 4, generator=g)
    with torch.no_grad():
        post = vae.encode(x).latent_dist
        raw = vae._encode(x)[:, 16:]
        assert raw.max() > 20 and raw.min() < -30, (raw.min(), raw.max())
        noise = torch.randn(post.mean.shape, generator=g)
        sample = post.mean + post.std * noise
        decoded = vae.decode(z).sample
    d = os.path.join(out, 'shift')
    save(vae, d, torch.float32, None)
    write_io(d, dict(image=x, mean=post.mean, logvar=post.logvar, noise=noise, sample=sample, z=z, decoded=decoded))


def tiny_fixture(out):
    torch.manual_seed(6)
    vae = AutoencoderTiny(in_channels=3, out_channels=3, encoder_block_out_channels=[16, 16, 16],
                          decoder_block_out_channels=[16, 16, 16], act_fn='relu', latent_channels=4,
                          num_encoder_blocks=[1, 2, 1], num_decoder_blocks=[1, 2, 1]).eval()
    perturb(vae, 7, torch.bfloat16)
    g = torch.Generator().manual_seed(8)
    x = image(g, 2, 3, 16, 16)
    z = torch.randn(2, 4, 4, 4, generator=g) * 2
    with torch.no_grad():
        latents = vae.encode(x).latents
        decoded = vae.decode(z).sample
    d = os.path.join(out, 'tiny')
    save(vae, d, torch.bfloat16, 'bf16')
    write_io(d, dict(image=x, latents=latents, z=z, decoded=decoded))


def big(out):
    torch.manual_seed(10)
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=['DownEncoderBlock2D'] * 4,
                        up_block_types=['UpDecoderBlock2D'] * 4, block_out_channels=[128, 256, 512, 512],
                        layers_per_block=2, latent_channels=4, norm_num_groups=32, sample_size=512).eval()
    perturb(vae, 11, torch.float32)
    z = torch.randn(1, 4, 64, 64, generator=torch.Generator().manual_seed(12))
    with torch.no_grad():
        decoded = vae.decode(z).sample
    save(vae, os.path.join(out, 'vae'), torch.float32, None)
    write_io(out, dict(z=z, decoded=decoded))
    print(json.dumps({'parameters': sum(p.numel() for p in vae.parameters())}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', help='fixture root (src/test/resources/io/jdiffusion/t2i/vae)')
    ap.add_argument('--big', help='write the full-size SD VAE check into this folder instead')
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.big:
        big(a.big)
        return
    if not a.out:
        ap.error('--out or --big is required')
    kl_fixture(a.out)
    shift_fixture(a.out)
    tiny_fixture(a.out)


if __name__ == '__main__':
    main()
