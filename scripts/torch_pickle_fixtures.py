#!/usr/bin/env python3
"""Fixtures of store/TorchPickle (the restricted reader of PyTorch .bin weights): state dicts written by torch.save
itself, and pickles that must be refused. Run with Debian's PyTorch (1.13):

    /usr/bin/python3 scripts/torch_pickle_fixtures.py jdiffusion-core/src/test/resources/io/jdiffusion/torchpickle

Writes weights.bin (float32, float16, bfloat16 and float64 tensors, a transposed view, a slice with a storage offset,
two tensors sharing one storage, a 0-d tensor, an nn.Parameter; the state dict's _metadata), weights.json (their
values as float32 lists and shapes), legacy.bin (the pre-1.6 non-zip format), and evil.bin (a zip whose data.pkl
calls os.system: it must be refused without running anything).
"""
import io
import json
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
g = torch.Generator().manual_seed(7)
base = torch.randn(6, 5, generator=g)
sd = OrderedDict()
sd['conv.weight'] = torch.randn(4, 3, 3, 3, generator=g)
sd['conv.bias'] = torch.randn(4, generator=g).half()
sd['norm.weight'] = torch.randn(7, generator=g).bfloat16()
sd['proj.weight'] = torch.randn(3, 2, generator=g).double()
sd['view.transposed'] = base.t()                # stride (1, 5)
sd['view.slice'] = base[2:4, 1:4]               # storage offset 11, stride (5, 1)
sd['view.row'] = base[1]                        # shares base's storage
sd['scalar'] = torch.tensor(3.25)
sd['param'] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
sd._metadata = OrderedDict([('', {'version': 1})])
torch.save(sd, os.path.join(out, 'weights.bin'))
ref = {k: {'shape': list(v.shape), 'values': v.detach().float().reshape(-1).tolist()} for k, v in sd.items()}
with open(os.path.join(out, 'weights.json'), 'w') as f:
    json.dump(ref, f)
torch.save(OrderedDict([('a', torch.ones(2))]), os.path.join(out, 'legacy.bin'), _use_new_zipfile_serialization=False)


class Evil:
    def __reduce__(self):
        return (os.system, ('touch /tmp/jdiffusion-pwned',))


buf = io.BytesIO()
pickle.dump({'a': Evil()}, buf, protocol=2)
with zipfile.ZipFile(os.path.join(out, 'evil.bin'), 'w') as z:
    z.writestr('archive/data.pkl', buf.getvalue())
    z.writestr('archive/version', '3\n')
print('wrote', sorted(os.listdir(out)))


def read_safetensors(path):
    """F32, F16 and BF16 tensors of a safetensors file, in their own dtype (the format is a length, a JSON
    header and raw data)."""
    import struct
    dtypes = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = OrderedDict()
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        tensors[name] = torch.frombuffer(bytearray(data[a:b]), dtype=dtypes[e['dtype']]).reshape(e['shape']).clone()
    return tensors


# the no_mid UNet2DModel fixture of DiffusersFixturesTest as diffusers' older .bin weights
src = os.path.join(out, '..', 'diffusers', 'no_mid', 'diffusion_pytorch_model.safetensors')
if os.path.exists(src):
    torch.save(read_safetensors(src), os.path.join(out, 'no_mid.bin'))
    print('wrote no_mid.bin')


t2i = os.path.join(out, '..', 't2i')
# the SD 1.x-like text encoder as transformers before 4.31 saved it: pytorch_model.bin with the int64 position_ids
clip = read_safetensors(os.path.join(t2i, 'clip', 'sd1', 'model.safetensors'))
clip['text_model.embeddings.position_ids'] = torch.arange(77).expand((1, -1))
torch.save(clip, os.path.join(out, 'clip_sd1_pytorch_model.bin'))
# the SD 1.x-like UNet's fp16 weights as diffusion_pytorch_model.bin (HalfStorage)
torch.save(read_safetensors(os.path.join(t2i, 'unet', 'sd1', 'unet', 'diffusion_pytorch_model.fp16.safetensors')),
           os.path.join(out, 'unet_sd1_fp16.bin'))
print('wrote the text encoder and UNet .bin copies')
