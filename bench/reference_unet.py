"""PyTorch reference of jdiffusion's U-Net, module for module and in the same creation order.

Used as an oracle (the Java tests compare outputs and losses against it) and as the PyTorch side
of the benchmarks. Runs on Debian's python3-torch (1.13) and on newer PyTorch; it needs nothing else.
Parameter names are those of jdiffusion (and of diffusers' UNet2DModel).
"""
import json
import math
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNorm32(nn.GroupNorm):
    """GroupNorm computed in float32 and returned in the input's dtype (as in OpenAI's guided-diffusion;
    PyTorch 1.13's CPU autocast leaves group_norm's mixed bf16/fp32 arguments unhandled)."""

    def forward(self, x):
        return super().forward(x.float()).type(x.dtype)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups, dropout):
        super().__init__()
        self.norm1 = GroupNorm32(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = GroupNorm32(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.dropout = dropout

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = F.silu(self.norm2(h))
        if self.dropout > 0 and self.training:
            h = F.dropout(h, self.dropout, True)
        h = self.conv2(h)
        skip = x if self.conv_shortcut is None else self.conv_shortcut(x)
        return skip + h


class Attention(nn.Module):
    def __init__(self, ch, heads, groups):
        super().__init__()
        self.group_norm = GroupNorm32(groups, ch)
        self.to_q = nn.Linear(ch, ch)
        self.to_k = nn.Linear(ch, ch)
        self.to_v = nn.Linear(ch, ch)
        self.to_out = nn.ModuleList([nn.Linear(ch, ch)])
        self.heads = heads

    def forward(self, x):
        b, c, hh, ww = x.shape
        n, d = hh * ww, c // self.heads
        h = self.group_norm(x).view(b, c, n).transpose(1, 2)
        q = self.to_q(h).view(b, n, self.heads, d).transpose(1, 2)
        k = self.to_k(h).view(b, n, self.heads, d).transpose(1, 2)
        v = self.to_v(h).view(b, n, self.heads, d).transpose(1, 2)
        if hasattr(F, "scaled_dot_product_attention"):
            a = F.scaled_dot_product_attention(q, k, v)
        else:  # PyTorch < 2.0
            w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
            a = w @ v
        o = self.to_out[0](a.transpose(1, 2).reshape(b, n, c))
        return x + o.transpose(1, 2).reshape(b, c, hh, ww)


class Sampler(nn.Module):
    def __init__(self, ch, stride):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=stride, padding=1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.resnets = nn.ModuleList()
        self.attentions = nn.ModuleList()


class TimeEmbedding(nn.Module):
    def __init__(self, dim, out):
        super().__init__()
        self.linear_1 = nn.Linear(dim, out)
        self.linear_2 = nn.Linear(out, out)
        self.dim = dim

    def forward(self, t):
        half = self.dim // 2
        scale = math.log(10000.0) / (half - 1)
        freqs = torch.exp(-scale * torch.arange(half, dtype=torch.float64))
        arg = t.to(torch.float64)[:, None] * freqs[None, :]
        emb = torch.cat([torch.sin(arg), torch.cos(arg)], dim=1).float()
        return self.linear_2(F.silu(self.linear_1(emb)))


class UNet(nn.Module):
    """cfg: the JSON of jdiffusion's UNetConfig record."""

    def __init__(self, cfg):
        super().__init__()
        base, temb, g = cfg["baseChannels"], 4 * cfg["baseChannels"], cfg["groups"]
        mults, nres, heads, drop = cfg["channelMults"], cfg["numResBlocks"], cfg["heads"], cfg["dropout"]
        attn_res = set(cfg["attentionResolutions"])
        self.cfg = cfg
        # creation order = jdiffusion's, so that the same seed draws the same weights
        self.conv_in = nn.Conv2d(cfg["inChannels"], base, 3, padding=1)
        self.time_embedding = TimeEmbedding(base, temb)
        self.class_embedding = nn.Embedding(cfg["numClasses"] + 1, temb) if cfg["numClasses"] > 0 else None
        skips, ch, res = [base], base, cfg["imageSize"]
        self.down_blocks = nn.ModuleList()
        for i, m in enumerate(mults):
            blk, out = Block(), base * m
            for _ in range(nres):
                blk.resnets.append(ResBlock(ch, out, temb, g, drop))
                ch = out
                if res in attn_res:
                    blk.attentions.append(Attention(ch, heads, g))
                skips.append(ch)
            if i < len(mults) - 1:
                blk.downsamplers = nn.ModuleList([Sampler(ch, 2)])
                skips.append(ch)
                res = (res + 1) // 2
            else:
                blk.downsamplers = None
            self.down_blocks.append(blk)
        self.mid_block = Block()
        self.mid_block.resnets.append(ResBlock(ch, ch, temb, g, drop))
        self.mid_block.attentions.append(Attention(ch, heads, g))
        self.mid_block.resnets.append(ResBlock(ch, ch, temb, g, drop))
        self.up_blocks = nn.ModuleList()
        for j in range(len(mults)):
            i = len(mults) - 1 - j
            blk, out = Block(), base * mults[i]
            for _ in range(nres + 1):
                blk.resnets.append(ResBlock(ch + skips.pop(), out, temb, g, drop))
                ch = out
                if res in attn_res:
                    blk.attentions.append(Attention(ch, heads, g))
            if j < len(mults) - 1:
                blk.upsamplers = nn.ModuleList([Sampler(ch, 1)])
                res *= 2
            else:
                blk.upsamplers = None
            self.up_blocks.append(blk)
        self.conv_norm_out = GroupNorm32(g, ch)
        self.conv_out = nn.Conv2d(ch, cfg["inChannels"], 3, padding=1)

    def forward(self, x, t, labels=None):
        temb = self.time_embedding(t)
        if self.class_embedding is not None:
            temb = temb + self.class_embedding(labels)
        h = self.conv_in(x)
        skips = [h]
        for blk in self.down_blocks:
            for r, res in enumerate(blk.resnets):
                h = res(h, temb)
                if len(blk.attentions) > 0:
                    h = blk.attentions[r](h)
                skips.append(h)
            if blk.downsamplers is not None:
                h = blk.downsamplers[0].conv(h)
                skips.append(h)
        h = self.mid_block.resnets[0](h, temb)
        h = self.mid_block.attentions[0](h)
        h = self.mid_block.resnets[1](h, temb)
        for blk in self.up_blocks:
            for r, res in enumerate(blk.resnets):
                h = res(torch.cat([h, skips.pop()], dim=1), temb)
                if len(blk.attentions) > 0:
                    h = blk.attentions[r](h)
            if blk.upsamplers is not None:
                h = F.interpolate(h, size=skips[-1].shape[-2:], mode="nearest")
                h = blk.upsamplers[0].conv(h)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


def read_safetensors(path):
    """Minimal safetensors reader (F32/BF16): returns (tensors by name, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out, base = {}, 8 + n
    for name, e in header.items():
        s, t = e["data_offsets"]
        raw = bytearray(data[base + s:base + t])
        if e["dtype"] == "F32":
            ten = torch.frombuffer(raw, dtype=torch.float32)
        elif e["dtype"] == "BF16":
            ten = torch.frombuffer(raw, dtype=torch.bfloat16).float()
        else:
            raise ValueError(f"{path}: unsupported dtype {e['dtype']}")
        out[name] = ten.reshape(e["shape"]).clone()
    return out, meta


def named_parameters_in_order(model):
    """Parameter names in jdiffusion's naming (ModuleList indices as path parts)."""
    return [name for name, _ in model.named_parameters()]
