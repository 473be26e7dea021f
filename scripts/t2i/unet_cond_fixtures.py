#!/usr/bin/env python3
"""Writes the UNet2DConditionModel parity fixtures: tiny randomly initialised diffusers
UNet2DConditionModels (the layouts of SD 1.x, SD 2.x, SD inpainting, BK-SDM and only_cross_attention),
saved with diffusers' own save_pretrained, with fixed inputs and diffusers' own forward output, so that
jdiffusion's UNet2DConditionTest checks its network and its folder loading against diffusers' numbers.

Every parameter is perturbed after diffusers' initialisation (weights by N(0, (0.5/sqrt(fan_in))^2),
norms and biases by N(0, 0.1^2)), so that no path hides behind a zero or identity initialisation.
Weights saved in a half-precision variant are rounded to that precision before the reference forward,
so the file holds exactly the weights that produced the output.

Run with a current PyTorch and diffusers' and huggingface_hub's public sources on PYTHONPATH
(diffusers commit 58eb52c0):

    PYTORCH26_EXTRA=/tmp/diffusers:/tmp/hfhub PYTHONPATH=/tmp/diffusers/src:/tmp/hfhub/src \\
        /work/shared/tools/pytorch26 run scripts/t2i/unet_cond_fixtures.py \\
        --out src/test/resources/io/jdiffusion/t2i/unet

Each case NAME/ holds unet/ (config.json and the weights, as save_pretrained writes them: some in
float32, some as the .fp16./.bf16. variant, one sharded with an index.json) and io.safetensors: the
inputs sample [B, C, h, w], timestep [B] (float32) and encoder_hidden_states [B, 77, D], and diffusers'
output "out" [B, Cout, h, w], all float32.

With --full DIR it writes instead the full-size Stable Diffusion 1.5 UNet (860 M parameters, the
runwayml config) at random weights, sharded, with one 64x64 latent forward, for the opt-in test
(-Djdiffusion.t2i.full=true); nothing of that is committed.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
from safetensors.torch import save_file
from diffusers.models.unets.unet_2d_condition import UNet2DConditionModel

# diffusers' get_dummy_components uses (32, 64) channels; half that (and less) keeps all the fixtures near 2 MB
COMMON = dict(sample_size=8, block_out_channels=(16, 32), layers_per_block=2, cross_attention_dim=16,
              norm_num_groups=4, attention_head_dim=4)

CASES = {
    # SD 1.x: conv projections, one head count for every block, flip_sin_to_cos, freq_shift 0
    'sd1': dict(config=dict(COMMON, in_channels=4, out_channels=4,
                            down_block_types=('CrossAttnDownBlock2D', 'DownBlock2D'),
                            up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D')),
                shape=(2, 4, 8, 8), variant='fp16', shard=None),
    # SD 2.x: linear projections, per-block head counts, upcast_attention, two transformer layers,
    # other sinusoid and padding settings; the fp16 variant
    'sd2': dict(config=dict(COMMON, in_channels=4, out_channels=4, attention_head_dim=[2, 4],
                            use_linear_projection=True, upcast_attention=True, cross_attention_dim=24,
                            transformer_layers_per_block=2, layers_per_block=1, flip_sin_to_cos=False, freq_shift=1,
                            down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D'),
                            up_block_types=('CrossAttnUpBlock2D', 'UpBlock2D')),
                shape=(2, 4, 8, 8), variant='fp16', shard=None),
    # SD inpainting: 9 input channels; an odd, non-square latent (diffusers' forward_upsample_size),
    # layers per block as a list, mid_block_scale_factor and norm_eps; sharded weights
    'inpaint': dict(config=dict(COMMON, in_channels=9, out_channels=4, layers_per_block=[1, 2],
                                block_out_channels=(8, 16), attention_head_dim=2,
                                mid_block_scale_factor=1.5, norm_eps=1e-6,
                                down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'),
                                up_block_types=('CrossAttnUpBlock2D', 'CrossAttnUpBlock2D')),
                    shape=(2, 9, 9, 7), variant=None, shard='100KB'),
    # BK-SDM: no middle block, one layer per block, three levels; the bf16 variant
    'bksdm': dict(config=dict(COMMON, in_channels=4, out_channels=4, block_out_channels=(8, 16, 16),
                              layers_per_block=1, mid_block_type=None, attention_head_dim=2,
                              down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'),
                              up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D')),
                  shape=(1, 4, 8, 8), variant='bf16', shard=None),
    # only_cross_attention per block: attn1 attends to the text as well
    'onlycross': dict(config=dict(COMMON, in_channels=4, out_channels=4, only_cross_attention=[True, False],
                                  block_out_channels=(8, 16), attention_head_dim=2,
                                  down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'),
                                  up_block_types=('CrossAttnUpBlock2D', 'CrossAttnUpBlock2D')),
                      shape=(2, 4, 8, 8), variant='fp16', shard=None),
}

SD15 = dict(sample_size=64, in_channels=4, out_channels=4, block_out_channels=(320, 640, 1280, 1280),
            layers_per_block=2, cross_attention_dim=768, attention_head_dim=8, norm_num_groups=32,
            down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D',
                              'DownBlock2D'),
            up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'),
            act_fn='silu', center_input_sample=False, downsample_padding=1, flip_sin_to_cos=True, freq_shift=0,
            mid_block_scale_factor=1, norm_eps=1e-5)


def perturb(model, gen, dtype):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim >= 2:
                fan_in = p[0].numel()
                p.add_(torch.randn(p.shape, generator=gen) * (0.5 / math.sqrt(fan_in)))
            else:
                p.add_(torch.randn(p.shape, generator=gen) * 0.1)
            if dtype is not None:
                p.copy_(p.to(dtype).float())


def inputs(shape, cross_dim, gen, tokens=77):
    b = shape[0]
    sample = torch.randn(shape, generator=gen)
    timestep = torch.tensor([999.0, 17.0, 500.0, 1.0][:b])
    enc = torch.randn((b, tokens, cross_dim), generator=gen)
    return sample, timestep, enc


def write_case(out, name, case, seed):
    torch.manual_seed(seed)
    model = UNet2DConditionModel(**case['config']).eval()
    gen = torch.Generator().manual_seed(seed)
    dtype = {None: None, 'fp16': torch.float16, 'bf16': torch.bfloat16}[case['variant']]
    perturb(model, gen, dtype)
    cross = case['config']['cross_attention_dim']
    sample, timestep, enc = inputs(case['shape'], cross, gen)
    with torch.no_grad():
        result = model(sample, timestep, encoder_hidden_states=enc).sample
    folder = os.path.join(out, name)
    unet = os.path.join(folder, 'unet')
    os.makedirs(folder, exist_ok=True)
    kw = {}
    if case['shard']:
        kw['max_shard_size'] = case['shard']
    if dtype is not None:
        model.to(dtype)
    model.save_pretrained(unet, variant=case['variant'], **kw)
    save_file({'sample': sample.contiguous(), 'timestep': timestep.contiguous(),
               'encoder_hidden_states': enc.contiguous(), 'out': result.float().contiguous()},
              os.path.join(folder, 'io.safetensors'))
    params = sum(p.numel() for p in model.parameters())
    print(f'{name}: {params} parameters, out {tuple(result.shape)} max |out| {result.abs().max():.4f}',
          sorted(os.listdir(unet)))


def write_full(out, seed):
    torch.manual_seed(seed)
    t0 = time.time()
    model = UNet2DConditionModel(**SD15).eval()
    gen = torch.Generator().manual_seed(seed)
    perturb(model, gen, None)
    print(f'built in {time.time() - t0:.1f} s, {sum(p.numel() for p in model.parameters())} parameters', flush=True)
    sample, timestep, enc = inputs((1, 4, 64, 64), 768, gen)
    timestep = torch.tensor([801.0])
    t0 = time.time()
    with torch.no_grad():
        result = model(sample, timestep, encoder_hidden_states=enc).sample
    print(f'forward in {time.time() - t0:.1f} s', flush=True)
    model.save_pretrained(os.path.join(out, 'unet'), max_shard_size='1GB')
    save_file({'sample': sample.contiguous(), 'timestep': timestep.contiguous(),
               'encoder_hidden_states': enc.contiguous(), 'out': result.float().contiguous()},
              os.path.join(out, 'io.safetensors'))
    print('written', out, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', help='fixture root (one folder per case)')
    ap.add_argument('--full', help='write the full-size SD 1.5 UNet case here instead')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.full:
        write_full(a.full, 1234)
        return
    if not a.out:
        ap.error('--out or --full is required')
    for i, (name, case) in enumerate(CASES.items()):
        write_case(a.out, name, case, 100 + i)


if __name__ == '__main__':
    main()
