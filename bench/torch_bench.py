"""PyTorch twin of io.jdiffusion.bench.Bench: same modes, same arguments, one JSON line out.

usage: torch_bench.py MODE MODEL CHANNELS SIZE PRECISION BATCH STEPS WARMUP
bf16 uses torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's own mixed precision.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from reference_unet import UNet  # noqa: E402


def config(model, c, s):
    lowest = s
    for _ in range(2):
        lowest = (lowest + 1) // 2
    if model == "tiny":
        return dict(inChannels=c, imageSize=s, baseChannels=32, channelMults=[1, 2, 2], numResBlocks=1,
                    attentionResolutions=[lowest], heads=4, dropout=0.0, groups=8, numClasses=0)
    return dict(inChannels=c, imageSize=s, baseChannels=64, channelMults=[1, 2, 2], numResBlocks=2,
                attentionResolutions=[lowest], heads=4, dropout=0.0, groups=32, numClasses=0)


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int("".join(ch for ch in line if ch.isdigit()))
    return -1


def alpha_bar():
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    return torch.cumprod(1 - betas, 0)


def main(mode, model_name, c, s, precision, batch, steps, warmup):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    cfg = config(model_name, c, s)
    model = UNet(cfg)
    params = sum(p.numel() for p in model.parameters())
    bf16 = precision == "bf16"

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)

    ms, rss = [], []
    ab = alpha_bar()
    if mode in ("train", "flat-train"):
        model.train()
        ema = UNet(cfg)
        ema.load_state_dict(model.state_dict())
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
        gen = torch.Generator().manual_seed(0)
        for i in range(warmup + steps):
            x0 = torch.rand(batch, c, s, s) * 2 - 1
            eps = torch.randn(batch, c, s, s)
            t = torch.randint(0, 1000, (batch,), generator=gen)
            t0 = time.perf_counter()
            a = ab[t].sqrt().float()[:, None, None, None]
            b = (1 - ab[t]).sqrt().float()[:, None, None, None]
            xt = a * x0 + b * eps
            with autocast():
                out = model(xt, t.double())
            loss = F.mse_loss(out.float(), eps)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 1 - 0.999)
            loss.item()
            if i >= warmup:
                ms.append((time.perf_counter() - t0) * 1000)
            if mode == "flat-train" and (i + 1) % max(1, (warmup + steps) // 10) == 0:
                rss.append(status("VmRSS:"))
    elif mode in ("sample", "flat-sample"):
        model.eval()
        x = torch.randn(batch, c, s, s)
        t = torch.zeros(batch, dtype=torch.float64)
        with torch.inference_mode(), autocast():
            for i in range(warmup + steps):
                t0 = time.perf_counter()
                model(x, t)
                if i >= warmup:
                    ms.append((time.perf_counter() - t0) * 1000)
                if mode == "flat-sample" and (i + 1) % max(1, (warmup + steps) // 10) == 0:
                    rss.append(status("VmRSS:"))
    elif mode in ("ddpm", "ddim"):
        model.eval()
        ratio = 1000 // steps
        ts = [(steps - 1 - i) * ratio for i in range(steps)]
        warm = [(5 - 1 - i) * 200 for i in range(5)]
        for r in range(-1, warmup):  # r = -1: untimed 5-step warm-up chain; WARMUP = timed repeats
            gen = torch.Generator().manual_seed(r)
            with torch.inference_mode(), autocast():
                x = torch.randn(batch, c, s, s, generator=gen)
                t0 = time.perf_counter()
                seq = warm if r < 0 else ts
                for i, t in enumerate(seq):
                    prev = seq[i + 1] if i + 1 < len(seq) else -1
                    abt, abp = ab[t].item(), (ab[prev].item() if prev >= 0 else 1.0)
                    eps = model(x, torch.full((batch,), float(t), dtype=torch.float64)).float()
                    x0 = ((x - math.sqrt(1 - abt) * eps) / math.sqrt(abt)).clamp(-1, 1)
                    if mode == "ddim" or r < 0:
                        x = math.sqrt(abp) * x0 + math.sqrt(1 - abp) * eps
                    else:
                        beta = 1 - abt / abp
                        mean = (math.sqrt(abp) * beta / (1 - abt)) * x0 + (math.sqrt(abt / abp) * (1 - abp) / (1 - abt)) * x
                        if prev >= 0:
                            var = (1 - abp) / (1 - abt) * beta
                            mean = mean + math.sqrt(var) * torch.randn(x.shape, generator=gen)
                        x = mean
            if r >= 0:
                ms.append((time.perf_counter() - t0) * 1000 / batch)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps({"impl": "pytorch " + torch.__version__, "mode": mode, "model": model_name,
                      "shape": f"{c}x{s}x{s}", "precision": precision, "batch": batch, "params": params,
                      "ms": ms, "rss_kb": rss, "peak_rss_kb": status("VmHWM:")}))


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) != 8:
        raise SystemExit(__doc__)
    main(a[0], a[1], int(a[2]), int(a[3]), a[4], int(a[5]), int(a[6]), int(a[7]))
