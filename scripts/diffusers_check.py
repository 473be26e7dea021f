#!/usr/bin/env python3
"""Checks jdiffusion against diffusers' own UNet2DModel, by hand (not CI; diffusers is not a dependency).
It imports diffusers from a checkout the way scripts/diffusers_fixtures.py does (stubbed optional modules,
Debian's torch 1.13).

export: loads the folders that `export --diffusers` wrote, as UNet2DModel.from_pretrained does
(config.json -> UNet2DModel.from_config, then a strict load_state_dict of the safetensors weights), and
compares diffusers' forward with jdiffusion's output on the same inputs (io.safetensors, written by the
Java side):

    nice -n 19 mvn -o -q test -Dtest=DiffusersCrossCheckTest -Djdiffusion.export.check=/tmp/jd-export
    nice -n 19 /usr/bin/python3 scripts/diffusers_check.py export --diffusers /tmp/diffusers --dir /tmp/jd-export

big: builds google/ddpm-cifar10-32's (or, with --arch ddpm-celebahq-256, google/ddpm-celebahq-256's) UNet2DModel
configuration at random weights with diffusers' code and
saves it with diffusers' output on fixed inputs in target/diffusers-big/ddpm-cifar10-32 (143 MB, not
committed), for the Java side to load and compare:

    nice -n 19 /usr/bin/python3 scripts/diffusers_check.py big --diffusers /tmp/diffusers
    nice -n 19 mvn -o -q test -Dtest=DiffusersCrossCheckTest -Djdiffusion.big=true

bench: DDIM-50 images/s at batch 16 of that architecture with diffusers' UNet2DModel and DDIMScheduler
(PyTorch, the same thread count as the Java bench):

    nice -n 19 /usr/bin/python3 scripts/diffusers_check.py bench --diffusers /tmp/diffusers --threads 2
"""
import argparse
import json
import os
import shutil
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diffusers_fixtures import import_diffusers, write_safetensors  # noqa: E402

# google/ddpm-cifar10-32's unet config.json (the Hub's, as diffusers reads it)
CIFAR10 = dict(sample_size=32, in_channels=3, out_channels=3, layers_per_block=2,
               block_out_channels=(128, 256, 256, 256),
               down_block_types=('DownBlock2D', 'AttnDownBlock2D', 'DownBlock2D', 'DownBlock2D'),
               up_block_types=('UpBlock2D', 'UpBlock2D', 'AttnUpBlock2D', 'UpBlock2D'),
               attention_head_dim=None, norm_eps=1e-6, norm_num_groups=32, downsample_padding=0,
               flip_sin_to_cos=False, freq_shift=1, act_fn='silu', mid_block_scale_factor=1, dropout=0.0)

# google/ddpm-celebahq-256's UNet2DModel configuration (113.7 M parameters): attention at 16x16 only
CELEBAHQ = dict(sample_size=256, in_channels=3, out_channels=3, layers_per_block=2,
                block_out_channels=(128, 128, 256, 256, 512, 512),
                down_block_types=('DownBlock2D', 'DownBlock2D', 'DownBlock2D', 'DownBlock2D', 'AttnDownBlock2D',
                                  'DownBlock2D'),
                up_block_types=('UpBlock2D', 'AttnUpBlock2D', 'UpBlock2D', 'UpBlock2D', 'UpBlock2D', 'UpBlock2D'),
                attention_head_dim=None, norm_eps=1e-6, norm_num_groups=32, downsample_padding=0,
                flip_sin_to_cos=False, freq_shift=1, act_fn='silu', mid_block_scale_factor=1, dropout=0.0)
ARCHITECTURES = {'ddpm-cifar10-32': (CIFAR10, 2), 'ddpm-celebahq-256': (CELEBAHQ, 1)}  # config, images


def read_safetensors(path):
    """The safetensors format by hand: F32, F16 and BF16 tensors as float32 torch tensors."""
    import numpy as np
    import torch
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        a, b = h['data_offsets']
        raw = data[a:b]
        if h['dtype'] == 'F32':
            t = torch.from_numpy(np.frombuffer(raw, dtype='<f4').copy())
        elif h['dtype'] == 'F16':
            t = torch.from_numpy(np.frombuffer(raw, dtype='<f2').astype('float32'))
        elif h['dtype'] == 'BF16':
            u = np.frombuffer(raw, dtype='<u2').astype('uint32') << 16
            t = torch.from_numpy(u.view('float32').copy())
        else:
            raise ValueError(f'{path}: {name} has dtype {h["dtype"]}')
        out[name] = t.reshape(h['shape'])
    return out


def relative(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


def export_check(UNet2DModel, directory):
    import torch
    worst = 0.0
    for name in sorted(os.listdir(directory)):
        folder = os.path.join(directory, name)
        if not os.path.isfile(os.path.join(folder, 'model_index.json')):
            continue
        for sub in ['', 'unet']:  # both layouts export writes: UNet2DModel at the top, DDPMPipeline's unet/
            with open(os.path.join(folder, sub, 'config.json')) as f:
                config = json.load(f)
            model = UNet2DModel.from_config(config).eval()
            state = read_safetensors(os.path.join(folder, sub, 'diffusion_pytorch_model.safetensors'))
            model.load_state_dict(state, strict=True)
            io = read_safetensors(os.path.join(folder, 'io.safetensors'))
            labels = io['labels'].long() if 'labels' in io else None
            with torch.no_grad():
                out = model(io['x'], io['t'].long(), class_labels=labels).sample
                exact = model.double()(io['x'].double(), io['t'].long(), class_labels=labels).sample
            rel = relative(io['out'], out)
            worst = max(worst, rel)
            print(f'{name}/{sub}: {sum(p.numel() for p in model.parameters())} parameters, '
                  f'max |jdiffusion - diffusers| / max |diffusers| = {rel:.2e} (against diffusers in float64: '
                  f'jdiffusion {relative(io["out"].double(), exact):.2e}, diffusers float32 '
                  f'{relative(out.double(), exact):.2e})')
    if worst > 1e-4:  # float32 rounding; a wrong weight or option shows as 1e-2 or more
        sys.exit(f'error: relative difference {worst:.2e} > 1e-4')


def big(UNet2DModel, out, name):
    import torch
    config, images = ARCHITECTURES[name]
    torch.manual_seed(0)
    model = UNet2DModel(**config).eval()
    with torch.no_grad():  # perturb the zero-initialised output layers too, so every weight matters
        for p in model.parameters():
            p.add_(0.02 * torch.randn_like(p))
    params = sum(p.numel() for p in model.parameters())
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, 'diffusion_pytorch_model.safetensors'), model.state_dict(), 'F32',
                      {'format': 'pt'})
    cfg = {k: v for k, v in dict(model.config).items() if not k.startswith('_')}
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump({'_class_name': 'UNet2DModel', '_diffusers_version': '0.36.0.dev0', **cfg}, f, indent=2,
                  sort_keys=True)
    g = torch.Generator().manual_seed(1)
    size = config['sample_size']
    x = torch.randn(images, 3, size, size, generator=g)
    t = torch.tensor([999, 17][:images])
    start = time.time()
    with torch.no_grad():
        y = model(x, t).sample
    print(f'{name} architecture: {params} parameters, forward of {images} images {time.time() - start:.2f} s, '
          f'|out| max {y.abs().max().item():.4g}; wrote {folder}')
    write_safetensors(os.path.join(folder, 'io.safetensors'), {'x': x, 't': t.float(), 'out': y})


def bench(UNet2DModel, DDIMScheduler, threads, batch, steps):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = UNet2DModel(**CIFAR10).eval()
    sched = DDIMScheduler(num_train_timesteps=1000, beta_schedule='linear', clip_sample=True)
    sched.set_timesteps(steps)
    x = torch.randn(batch, 3, 32, 32)
    with torch.no_grad():
        model(x[:2], torch.tensor([10, 10]))  # warm-up
        start = time.time()
        for t in sched.timesteps:  # DDIMPipeline's loop
            eps = model(x, t).sample
            x = sched.step(eps, t, x, eta=0.0).prev_sample
        secs = time.time() - start
    print(f'diffusers UNet2DModel (torch {torch.__version__}, {threads} threads): DDIM-{steps}, batch {batch}: '
          f'{secs:.1f} s, {batch / secs:.3f} images/s')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('check', choices=['export', 'big', 'bench'])
    ap.add_argument('--diffusers', required=True, help='a checkout of github.com/huggingface/diffusers')
    ap.add_argument('--dir', help='export: the folder the Java side wrote')
    ap.add_argument('--out', default='target/diffusers-big', help='big: where to write (default target/diffusers-big)')
    ap.add_argument('--arch', default='ddpm-cifar10-32', choices=sorted(ARCHITECTURES),
                    help='big: which architecture (default ddpm-cifar10-32)')
    ap.add_argument('--threads', type=int, default=2, help='bench: torch threads (default 2)')
    ap.add_argument('--batch', type=int, default=16, help='bench: images (default 16)')
    ap.add_argument('--steps', type=int, default=50, help='bench: DDIM steps (default 50)')
    args = ap.parse_args()
    UNet2DModel, DDIMScheduler, _, tmp = import_diffusers(args.diffusers)
    import torch
    if args.check != 'bench':
        torch.set_num_threads(1)
    try:
        if args.check == 'export':
            if not args.dir:
                sys.exit('error: export needs --dir')
            export_check(UNet2DModel, args.dir)
        elif args.check == 'big':
            big(UNet2DModel, args.out, args.arch)
        else:
            bench(UNet2DModel, DDIMScheduler, args.threads, args.batch, args.steps)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
