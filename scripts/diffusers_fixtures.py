#!/usr/bin/env python3
"""Writes the diffusers interop fixtures: small randomly initialised UNet2DModel checkpoints, in
diffusers' own folder layout, with their outputs on fixed inputs and a DDIM run of diffusers' own
scheduler, so that jdiffusion's tests check its U-Net and import against diffusers' numbers.

diffusers itself is not installed here (no huggingface_hub, safetensors, ... on Debian's torch 1.13):
this script copies diffusers' package from a checkout into a temporary directory, empties the package
__init__ files that import the whole library, stubs the optional modules, and imports only
UNet2DModel and the DDIM/DDPM schedulers. Nothing of diffusers is written into this repository.

    git clone https://github.com/huggingface/diffusers /tmp/diffusers
    nice -n 19 /usr/bin/python3 scripts/diffusers_fixtures.py --diffusers /tmp/diffusers \
        --out jdiffusion-core/src/test/resources/io/jdiffusion/diffusers

Each fixture NAME/ holds config.json and diffusion_pytorch_model.safetensors (as
UNet2DModel.save_pretrained writes them), and io.safetensors: the inputs x, t, labels (float32) and
diffusers' output "out". ddim/ holds a DDPMPipeline-style folder (model_index.json, unet/,
scheduler/scheduler_config.json) and ddim.safetensors: x_T and the samples of 10 DDIM steps.
Needs python3-packaging (apt); measured with torch 1.13.
"""
import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
import types

GENERIC_STUB = '''
__version__ = "0.99.0"
def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name.isupper():
        return "/nonexistent/stub-" + name.lower()
    def _call(*a, **k):
        raise RuntimeError("stubbed: " + __name__ + "." + name)
    cls = type(name, (Exception,), {"__init__": lambda self, *a, **k: None, "__call__": _call})
    globals()[name] = cls
    return cls
'''


def import_diffusers(checkout):
    """Imports UNet2DModel, DDIMScheduler, DDPMScheduler from a copy of diffusers' package."""
    src = os.path.join(checkout, 'src', 'diffusers')
    if not os.path.isdir(src):
        src = os.path.join(checkout, 'diffusers')
    if not os.path.isdir(src):
        sys.exit(f'error: no diffusers package under {checkout} (expected src/diffusers)')
    tmp = tempfile.mkdtemp(prefix='jdiffusion-diffusers-')
    shutil.copytree(src, os.path.join(tmp, 'pkg', 'diffusers'))
    pkg = os.path.join(tmp, 'pkg', 'diffusers')
    # package __init__ files that import everything: replaced by the few names needed
    with open(os.path.join(pkg, '__init__.py'), 'w') as f:
        f.write('__version__ = "0.0.0-jdiffusion-fixtures"\n')
    with open(os.path.join(pkg, 'models', '__init__.py'), 'w') as f:
        f.write('from .unets.unet_2d import UNet2DModel\n')
    for sub in ['models/unets', 'pipelines', 'models/transformers']:
        open(os.path.join(pkg, sub, '__init__.py'), 'w').close()
    with open(os.path.join(pkg, 'schedulers', '__init__.py'), 'w') as f:
        f.write('from .scheduling_ddpm import DDPMScheduler\nfrom .scheduling_ddim import DDIMScheduler\n')
    stubs = os.path.join(tmp, 'stubs')
    for mod in ['huggingface_hub', 'huggingface_hub.utils', 'huggingface_hub.constants', 'huggingface_hub.errors',
                'huggingface_hub.file_download', 'safetensors', 'safetensors.torch', 'httpx', 'tqdm']:
        d = os.path.join(stubs, *mod.split('.'))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, '__init__.py'), 'w') as f:
            f.write(GENERIC_STUB)
    os.makedirs(os.path.join(stubs, 'tqdm', 'auto'), exist_ok=True)
    with open(os.path.join(stubs, 'tqdm', 'auto', '__init__.py'), 'w') as f:
        f.write('class tqdm:\n    def __init__(self, *a, **k):\n        pass\n')
    sys.path[:0] = [os.path.join(tmp, 'pkg'), stubs]

    import torch
    import torch.distributed

    class Namespace(types.ModuleType):
        def __getattr__(self, n):
            if n.startswith('__'):
                raise AttributeError(n)
            return type(n, (), {}) if n[:1].isupper() else (lambda *a, **k: False)

    # torch 2.x names that diffusers touches at import time
    for m in ['torch.distributed._functional_collectives', 'torch.distributed.tensor', 'torch.distributed.device_mesh']:
        try:
            __import__(m)
        except ImportError:
            sys.modules[m] = Namespace(m)
    if not hasattr(torch.distributed, 'device_mesh'):
        torch.distributed.device_mesh = Namespace('device_mesh')
    if not hasattr(torch, 'compiler'):
        compiler = Namespace('compiler')
        compiler.disable = lambda fn=None, *a, **k: fn if callable(fn) else (lambda g: g)
        compiler.is_compiling = lambda: False
        torch.compiler = compiler
    for n in ['xpu', 'mps', 'mtia']:
        if not hasattr(torch, n):
            setattr(torch, n, Namespace(n))
    for n in ['float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'uint16',
              'uint32', 'uint64']:
        if not hasattr(torch, n):
            setattr(torch, n, torch.float32)
    import diffusers.utils  # noqa: F401 (first: configuration_utils imports it half-initialised otherwise)
    from diffusers.models.unets.unet_2d import UNet2DModel
    from diffusers.schedulers.scheduling_ddim import DDIMScheduler
    from diffusers.schedulers.scheduling_ddpm import DDPMScheduler
    return UNet2DModel, DDIMScheduler, DDPMScheduler, tmp


def write_safetensors(path, tensors, dtype='F32', metadata=None):
    """The safetensors format by hand: 8-byte little-endian header length, JSON header, raw data."""
    import torch
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if dtype == 'F32':
            raw = t.float().numpy().astype('<f4').tobytes()
        elif dtype == 'F16':
            raw = t.half().numpy().astype('<f2').tobytes()
        elif dtype == 'BF16':
            raw = t.bfloat16().view(torch.int16).numpy().astype('<i2').tobytes()
        else:
            raise ValueError(dtype)
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = metadata
    head = json.dumps(header, separators=(',', ':')).encode()
    head += b' ' * ((8 - len(head) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def round_weights(model, dtype):
    """Rounds every parameter to what the stored dtype keeps, so that outputs match the file."""
    import torch
    with torch.no_grad():
        for p in model.parameters():
            if dtype == 'F16':
                p.copy_(p.half().float())
            elif dtype == 'BF16':
                p.copy_(p.bfloat16().float())


# Each: (name, UNet2DModel config, stored dtype, class labels or None, legacy attention names)
CONFIGS = [
    # google/ddpm-cifar10-32's layout, shrunk: asymmetric downsampling, norm_eps 1e-6, DDPM time embedding,
    # attention on the middle level of both paths with one head (attention_head_dim None)
    ('ddpm', dict(sample_size=16, in_channels=3, out_channels=3, block_out_channels=(8, 16, 16), layers_per_block=1,
                  down_block_types=('DownBlock2D', 'AttnDownBlock2D', 'DownBlock2D'),
                  up_block_types=('UpBlock2D', 'AttnUpBlock2D', 'UpBlock2D'), attention_head_dim=None,
                  norm_num_groups=4, norm_eps=1e-6, downsample_padding=0, flip_sin_to_cos=False, freq_shift=1),
     'F32', None, False),
    # the same network stored with the attention names of diffusers < 0.14 (query, key, value, proj_attn)
    ('legacy', None, 'F32', None, True),
    # scale_shift time conditioning, channels that are not multiples of the first, attention on the down path
    # only, head dim 8, mid_block_scale_factor, centred input, more output channels than input, diffusers'
    # default sinusoids (flip_sin_to_cos True, freq_shift 0), two ResBlocks per level
    ('scale_shift', dict(sample_size=8, in_channels=1, out_channels=2, block_out_channels=(8, 12), layers_per_block=2,
                         down_block_types=('AttnDownBlock2D', 'DownBlock2D'), up_block_types=('UpBlock2D', 'UpBlock2D'),
                         attention_head_dim=4, norm_num_groups=4, resnet_time_scale_shift='scale_shift',
                         mid_block_scale_factor=1.4142, center_input_sample=True),
     'F32', None, False),
    # class table (num_class_embeds), no middle attention, a wider time embedding, stored as float16
    ('classes', dict(sample_size=8, in_channels=3, out_channels=3, block_out_channels=(8, 16), layers_per_block=1,
                     down_block_types=('DownBlock2D', 'AttnDownBlock2D'), up_block_types=('AttnUpBlock2D', 'UpBlock2D'),
                     attention_head_dim=8, norm_num_groups=4, num_class_embeds=5, add_attention=False,
                     time_embedding_dim=24),
     'F16', [4, 1], False),
    # class_embed_type "timestep", scale_shift with a normed middle attention (attn_norm_num_groups), bfloat16
    ('class_timestep', dict(sample_size=8, in_channels=3, out_channels=3, block_out_channels=(8, 16),
                            layers_per_block=1, down_block_types=('AttnDownBlock2D', 'AttnDownBlock2D'),
                            up_block_types=('AttnUpBlock2D', 'AttnUpBlock2D'), attention_head_dim=4,
                            norm_num_groups=4, class_embed_type='timestep', resnet_time_scale_shift='scale_shift',
                            attn_norm_num_groups=2, freq_shift=1),
     'BF16', [3, 0], False),
    # no middle block at all (mid_block_type None), a tiny grey model
    ('no_mid', dict(sample_size=8, in_channels=1, out_channels=1, block_out_channels=(8, 16), layers_per_block=1,
                    down_block_types=('DownBlock2D', 'DownBlock2D'), up_block_types=('UpBlock2D', 'UpBlock2D'),
                    norm_num_groups=4, mid_block_type=None),
     'F32', None, False),
]

LEGACY = {'to_q.': 'query.', 'to_k.': 'key.', 'to_v.': 'value.', 'to_out.0.': 'proj_attn.'}


def save_model_folder(model, folder, dtype, legacy=False):
    os.makedirs(folder, exist_ok=True)
    state = model.state_dict()
    if legacy:
        renamed = {}
        for k, v in state.items():
            for new, old in LEGACY.items():
                if '.attentions.' in k and ('.' + new) in k:
                    k = k.replace('.' + new, '.' + old)
            renamed[k] = v
        state = renamed
    write_safetensors(os.path.join(folder, 'diffusion_pytorch_model.safetensors'), state, dtype,
                      {'format': 'pt'})
    cfg = dict(model.config)
    cfg = {k: v for k, v in cfg.items() if not k.startswith('_')}
    cfg = {'_class_name': 'UNet2DModel', '_diffusers_version': '0.36.0.dev0', **cfg}
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write('\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--diffusers', required=True, help='a checkout of github.com/huggingface/diffusers')
    ap.add_argument('--out', required=True, help='fixture directory')
    args = ap.parse_args()
    UNet2DModel, DDIMScheduler, DDPMScheduler, tmp = import_diffusers(args.diffusers)
    import torch
    torch.set_num_threads(1)
    try:
        ddpm_model = None
        for i, (name, cfg, dtype, labels, legacy) in enumerate(CONFIGS):
            if cfg is None:
                model = ddpm_model
            else:
                torch.manual_seed(i)
                model = UNet2DModel(**cfg).eval()
                with torch.no_grad():  # perturb every parameter: norms and zero-initialised layers included
                    for p in model.parameters():
                        p.add_(0.2 * torch.randn_like(p))
                round_weights(model, dtype)
                if name == 'ddpm':
                    ddpm_model = model
            folder = os.path.join(args.out, name)
            save_model_folder(model, folder, dtype, legacy)
            c = model.config
            g = torch.Generator().manual_seed(100 + i)
            x = torch.randn(2, c.in_channels, c.sample_size, c.sample_size, generator=g)
            t = torch.tensor([999, 17], dtype=torch.long)
            lab = torch.tensor(labels, dtype=torch.long) if labels is not None else None
            with torch.no_grad():
                out = model(x, t, class_labels=lab).sample
            io = {'x': x, 't': t.float(), 'out': out}
            if lab is not None:
                io['labels'] = lab.float()
            write_safetensors(os.path.join(folder, 'io.safetensors'), io)
            size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
            print(f'{name}: {sum(p.numel() for p in model.parameters())} parameters, {size} bytes, '
                  f'|out| max {out.abs().max().item():.4g}')
        write_ddim(ddpm_model, DDIMScheduler, os.path.join(args.out, 'ddim'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_ddim(model, DDIMScheduler, folder):
    """A DDPMPipeline-style folder and 10 deterministic DDIM steps of diffusers' own scheduler loop."""
    import torch
    sched = DDIMScheduler(num_train_timesteps=1000, beta_schedule='linear', beta_start=1e-4, beta_end=0.02,
                          clip_sample=True, set_alpha_to_one=True, steps_offset=0, prediction_type='epsilon',
                          timestep_spacing='leading')
    save_model_folder(model, os.path.join(folder, 'unet'), 'F32')
    os.makedirs(os.path.join(folder, 'scheduler'), exist_ok=True)
    cfg = {k: v for k, v in dict(sched.config).items() if not k.startswith('_')}
    with open(os.path.join(folder, 'scheduler', 'scheduler_config.json'), 'w') as f:
        json.dump({'_class_name': 'DDIMScheduler', '_diffusers_version': '0.36.0.dev0', **cfg}, f, indent=2,
                  sort_keys=True)
        f.write('\n')
    with open(os.path.join(folder, 'model_index.json'), 'w') as f:
        json.dump({'_class_name': 'DDPMPipeline', '_diffusers_version': '0.36.0.dev0',
                   'scheduler': ['diffusers', 'DDIMScheduler'], 'unet': ['diffusers', 'UNet2DModel']}, f, indent=2)
        f.write('\n')
    g = torch.Generator().manual_seed(7)
    c = model.config
    x_t = torch.randn(2, c.in_channels, c.sample_size, c.sample_size, generator=g)
    sched.set_timesteps(10)
    x = x_t
    with torch.no_grad():  # DDPMPipeline's loop, with DDIM and the clipped model output
        for t in sched.timesteps:
            eps = model(x, t).sample
            x = sched.step(eps, t, x, eta=0.0, use_clipped_model_output=True).prev_sample
    write_safetensors(os.path.join(folder, 'ddim.safetensors'),
                      {'x_T': x_t, 'timesteps': sched.timesteps.float(), 'x_0': x})
    print(f'ddim: timesteps {sched.timesteps.tolist()}, |x_0| max {x.abs().max().item():.4g}')


if __name__ == '__main__':
    main()
