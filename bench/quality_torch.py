#!/usr/bin/python3
"""PyTorch reference of jdiffusion's quick-start training run, for a same-budget sample-quality comparison.

Trains the identical tiny U-Net (bench/reference_unet.py, 1 112 801 parameters) on the embedded
10 000-image Fashion-MNIST subset with the hyper-parameters of TrainConfig.quick() (the default of
`jdiffusion train`), then samples N images from the EMA weights with deterministic DDIM (50 steps,
eta 0, "leading" spacing, x0 clipped to [-1, 1] and eps re-derived from it) and writes them as 8-bit
grey PNGs, so that both implementations are scored by the same Java metrics code.

    /usr/bin/python3 bench/quality_torch.py --out DIR [--steps 1500] [--n 2000] [--threads 2] [--seed 0]

writes DIR/samples/000000.png ... and DIR/summary.json (timings, final loss, parameter count).

(Debian's python3-torch: /usr/bin/python3, not a python3 earlier on PATH.)

The Java twin (same budget: 1500 steps of batch 64; same sampler):

    ./bin/jdiffusion train --out runs/quickstart
    ./bin/jdiffusion evaluate runs/quickstart --ref fashion-mnist --n 2000

and the PyTorch samples are scored by the same command on the image folder (an unlabelled folder
of 28x28 grey PNGs; ImageFolder loads it as is, no resampling):

    ./bin/jdiffusion evaluate DIR/samples --ref fashion-mnist --n 2000

For comparable timings run both sides in the same environment, e.g. OPENBLAS_NUM_THREADS=1
OMP_NUM_THREADS=2 (bin/jdiffusion's settings) and --threads equal to the Java run's thread count
(the quick preset uses all cores).

Mirrored exactly (source in parentheses):
  * model: UNetConfig.tiny(1, 28, 0): base 32, mults 1,2,2, 1 ResBlock per level, attention at 7x7,
    4 heads, dropout 0, GroupNorm 8, unconditional (nn/UNetConfig.java); PyTorch-default init
    drawn in jdiffusion's creation order after manual_seed(seed) (Trainer, nn/Params.java)
  * schedule: linear betas 1e-4..0.02 over T = 1000, alphaBar cumulated in double
    (ScheduleConfig.defaults, schedule/BetaSchedule.java, NoiseSchedule.java)
  * objective: eps prediction, L2 = mse_loss(mean); t ~ U{0..T-1}; x_t = sqrt(ab) x0 + sqrt(1-ab) eps
    with the coefficients rounded to float32 (train/Trainer.java, diffusion/ForwardProcess.java)
  * data: train-images-idx3-ubyte.gz of the embedded subset, v/255 (float32) * 2 - 1; every epoch
    a fresh permutation, step k takes positions [kB, (k+1)B) of the endless stream, so batches
    cross epoch boundaries (data/Pixels.java, train/Batches.java); no flips (quick: flip = false)
  * optimiser: AdamW lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, PyTorch's single-tensor
    algorithm (train/AdamW.java); gradient-norm clipping at 1.0 before the step
  * lr: lr (k+1)/warmup for k < 100, then lr (1 + cos(pi min(1, (k-100)/(steps-100))))/2
    (train/LrSchedule.java, COSINE)
  * EMA of the parameters: decay min(0.995, (1+n)/(10+n)) for update n = 0, 1, ..., started at the
    initial weights (train/Ema.java)
  * sampling: DDIM eta 0, 50 steps, t_i = (49 - i) * (1000 // 50) (sampling/Timesteps.java LEADING),
    x0 = (x_t - b eps)/a clamped to [-1, 1], eps = (x_t - a x0)/b (sampling/Estimate.java),
    alphaBar_prev = 1 after the last step (sampling/Ddim.java), batches of 250 (evaluate --batch)
  * output: clamp((x+1)/2, 0, 1), then round(v*255) (pipeline/Generate.java, image/ImageGrid.java)

Not mirrored: the random streams. Java draws each step's batch order, timesteps and noise from
generators seeded by (seed, step) (SplittableRandom and libtorch's generator); here one torch
Generator per purpose, seeded from --seed, is drawn in sequence. Java's evaluate seeds generated
image i with seed + i; here each sampling batch's x_T comes from one generator. The Java training
loop also saves checkpoints and draws a 16-image preview grid every 500 steps inside its timed
loop; this script does neither. Java's evaluate scores the model's float samples directly, the
folder route scores 8-bit PNGs (quantisation of at most 1/510 per pixel).
"""
import argparse
import gzip
import json
import math
import os
import re
import struct
import sys
import time
import zlib

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_unet import UNet  # noqa: E402

REPO = os.path.dirname(HERE)
SUBSET = os.path.join(REPO, "jdiffusion-data/src/main/resources/io/jdiffusion/data/fashion-mnist-subset/train-images-idx3-ubyte.gz")

# TrainConfig.quick() (jdiffusion-train/src/main/java/io/jdiffusion/train/TrainConfig.java)
QUICK = dict(
    data="fashion-mnist-subset", prediction="eps", loss="l2", batch_size=64, steps=1500, lr=2e-3,
    warmup_steps=100, lr_schedule="cosine", weight_decay=0.0, adam_beta1=0.9, adam_beta2=0.999,
    adam_eps=1e-8, grad_clip=1.0, ema_decay=0.995, ema_warmup=True, flip=False, seed=0, precision="fp32")
# ScheduleConfig.defaults() (jdiffusion-core/src/main/java/io/jdiffusion/schedule/ScheduleConfig.java)
SCHEDULE = dict(betaSchedule="linear", steps=1000, betaStart=1e-4, betaEnd=0.02)
# The evaluate command's defaults (jdiffusion-cli/src/main/java/io/jdiffusion/cli/EvaluateCommand.java)
SAMPLER = dict(sampler="ddim", steps=50, eta=0.0, spacing="leading", clip=True, batch=250)
# UNetConfig.tiny(1, 28, 0): its parameter count in jdiffusion
JAVA_TINY_PARAMS = 1_112_801


def tiny_unet_config(channels=1, size=28, classes=0):
    """UNetConfig.tiny as its JSON record: attention at the lowest of three levels (7 for 28)."""
    lowest = size
    for _ in range(2):
        lowest = (lowest + 1) // 2
    return dict(inChannels=channels, imageSize=size, baseChannels=32, channelMults=[1, 2, 2], numResBlocks=1,
                attentionResolutions=[lowest], heads=4, dropout=0.0, groups=8, numClasses=classes)


def read_idx_images(path):
    """An IDX image file (magic 0x00000803, gzipped) as a uint8 tensor [n, rows, cols]."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x00000803:
        raise SystemExit(f"{path}: bad IDX magic 0x{magic:08X} (expected 0x00000803)")
    if len(data) != 16 + n * rows * cols:
        raise SystemExit(f"{path}: {len(data) - 16} pixel bytes, expected {n * rows * cols}")
    return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(n, rows, cols)


def alpha_bars(T, start, end):
    """Linear betas start + (end - start) i/(T-1) and their cumulative products, in double."""
    ab, prod = [], 1.0
    for i in range(T):
        prod *= 1.0 - (start + (end - start) * (i / (T - 1) if T > 1 else 0.0))
        ab.append(prod)
    return ab


def lr_at(step, total, lr, warmup, schedule):
    """LrSchedule.at: linear warm-up, then constant or cosine decay to 0 at the last step."""
    if step < warmup:
        return lr * (step + 1) / warmup
    if schedule == "constant" or total <= warmup:
        return lr
    progress = (step - warmup) / max(1, total - warmup)
    return lr * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def ema_decay_at(n, decay, warmup):
    """Ema.decayAt: min(decay, (1 + n)/(10 + n)) during warm-up; n = updates done before."""
    return min(decay, (1.0 + n) / (10.0 + n)) if warmup else decay


def leading_timesteps(T, steps):
    """Timesteps.LEADING: t = i * (T // N) for i = N-1 .. 0."""
    ratio = T // steps
    return [(steps - 1 - i) * ratio for i in range(steps)]


class Batches:
    """Batches.make's order: a permutation per epoch, step k takes positions [kB, (k+1)B)."""

    def __init__(self, images, batch, seed, flip):
        self.images, self.batch, self.flip = images, batch, flip
        self.seed, self.epoch, self.perm = seed, -1, None
        self.flip_gen = torch.Generator().manual_seed(seed * 1_000_003 + 2)

    def _perm(self, epoch):
        if epoch != self.epoch:
            g = torch.Generator().manual_seed((self.seed * 1_000_003 + 1) * 7919 + epoch)
            self.perm, self.epoch = torch.randperm(self.images.shape[0], generator=g), epoch
        return self.perm

    def get(self, step):
        n = self.images.shape[0]
        idx = torch.empty(self.batch, dtype=torch.long)
        for j in range(self.batch):  # B lookups, cheap; a batch may span two epochs
            pos = step * self.batch + j
            idx[j] = self._perm(pos // n)[pos % n]
        x = self.images[idx]
        if self.flip:
            m = torch.rand(self.batch, generator=self.flip_gen) < 0.5
            x = torch.where(m[:, None, None, None], x.flip(-1), x)
        return x


def png_grey(path, pixels):
    """Writes a uint8 [H, W] tensor as an 8-bit greyscale PNG (colour type 0, filter 0 per row)."""
    h, w = pixels.shape
    rows = pixels.contiguous().numpy().tobytes()
    raw = b"".join(b"\x00" + rows[y * w:(y + 1) * w] for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def to_bytes(x):
    """[-1, 1] -> 0..255 as Generate.toUnit + ImageGrid: clamp((x+1)/2, 0, 1) (NaN to 0), round(v*255)."""
    u = torch.nan_to_num((x + 1) / 2, nan=0.0).clamp(0, 1)
    return torch.floor(u * 255 + 0.5).to(torch.uint8)


def train(args, cfg, ab):
    c = QUICK
    torch.manual_seed(args.seed)  # Trainer: manual_seed(seed), then new UNet: same creation order
    model = UNet(cfg)
    params = sum(p.numel() for p in model.parameters())
    if args.expect_params and params != args.expect_params:
        raise SystemExit(f"parameter count {params} != expected {args.expect_params} (the Java model's)")
    ema = UNet(cfg)
    ema.load_state_dict(model.state_dict())
    ema.requires_grad_(False)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=c["lr"], betas=(c["adam_beta1"], c["adam_beta2"]),
                            eps=c["adam_eps"], weight_decay=c["weight_decay"], foreach=False)
    images = read_idx_images(SUBSET)
    data = (images.float() / 255) * 2 - 1  # Pixels: v/255f; Batches: * 2 - 1 (float32 both)
    data = data[:, None, :, :].contiguous()
    T = SCHEDULE["steps"]
    sab = torch.tensor([math.sqrt(v) for v in ab], dtype=torch.float64)
    s1m = torch.tensor([math.sqrt(1 - v) for v in ab], dtype=torch.float64)
    batches = Batches(data, c["batch_size"], args.seed, c["flip"])
    gen = torch.Generator().manual_seed(args.seed * 1_000_003 + 3)  # timesteps and noise
    B, steps = c["batch_size"], args.steps
    clip = c["grad_clip"] if c["grad_clip"] > 0 else float("inf")
    losses, window = [], []
    print(f"training {params:,} parameters on {images.shape[0]} images: {steps} steps of {B}, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}", flush=True)
    t0 = time.perf_counter()
    for step in range(steps):
        lr = lr_at(step, steps, c["lr"], c["warmup_steps"], c["lr_schedule"])
        x0 = batches.get(step)
        t = torch.randint(0, T, (B,), generator=gen)
        eps = torch.randn(x0.shape, generator=gen)
        a = sab[t].float()[:, None, None, None]
        b = s1m[t].float()[:, None, None, None]
        xt = a * x0 + b * eps
        out = model(xt, t.double())
        loss = F.mse_loss(out, eps)  # eps prediction, L2 (mean)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        lv = loss.item()
        if not math.isfinite(lv):
            raise SystemExit(f"loss became {lv} at step {step}")
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
        opt.zero_grad(set_to_none=True)
        d = ema_decay_at(step, c["ema_decay"], c["ema_warmup"])  # update n = optimizer steps before
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - d)
        losses.append(lv)
        window.append(lv)
        if (step + 1) % 100 == 0 or step + 1 == steps:
            el = time.perf_counter() - t0
            print(f"step {step + 1}/{steps} loss {sum(window) / len(window):.4f} lr {lr:.2e} "
                  f"grad_norm {float(gnorm):.3f} {(step + 1) * B / el:.1f} img/s {el:.1f} s", flush=True)
            window = []
    seconds = time.perf_counter() - t0
    return ema, params, losses, seconds


@torch.inference_mode()
def sample(model, ab, n, batch, seed):
    """DDIM (eta 0) over the LEADING timesteps with clipped x0 and re-derived eps; floats in [-1, 1]."""
    model.eval()
    ts = leading_timesteps(SCHEDULE["steps"], SAMPLER["steps"])
    eta = SAMPLER["eta"]
    gen = torch.Generator().manual_seed(seed * 1_000_003 + 5)
    out = []
    for start in range(0, n, batch):
        bsz = min(batch, n - start)
        x = torch.randn(bsz, 1, 28, 28, generator=gen)
        for i, t in enumerate(ts):
            prev = ts[i + 1] if i + 1 < len(ts) else -1
            ab_t, ab_p = ab[t], (ab[prev] if prev >= 0 else 1.0)
            a = torch.tensor([math.sqrt(ab_t)], dtype=torch.float32)  # Torch.scalar: float32
            b = torch.tensor([math.sqrt(1 - ab_t)], dtype=torch.float32)
            e = model(x, torch.full((bsz,), float(t), dtype=torch.float64))
            x0 = ((x - b * e) / a).clamp(-1, 1)  # Estimate.at with clip
            e = (x - a * x0) / b  # Prediction.X0.toEps
            sigma = eta * math.sqrt((1 - ab_p) / (1 - ab_t)) * math.sqrt(1 - ab_t / ab_p)
            x = x0 * math.sqrt(ab_p) + e * math.sqrt(max(0.0, 1 - ab_p - sigma * sigma))
            if sigma > 0:
                x = x + sigma * torch.randn(x.shape, generator=gen)
        out.append(x)
        print(f"sampled {start + bsz}/{n}", flush=True)
    return torch.cat(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output folder: samples/*.png and summary.json")
    p.add_argument("--steps", type=int, default=QUICK["steps"], help="training steps (default: %(default)s)")
    p.add_argument("--n", type=int, default=2000, help="images to sample (default: %(default)s)")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default: %(default)s)")
    p.add_argument("--seed", type=int, default=QUICK["seed"], help="seed (default: %(default)s)")
    p.add_argument("--sample-batch", type=int, default=SAMPLER["batch"], help="images per sampling batch")
    p.add_argument("--expect-params", type=int, default=JAVA_TINY_PARAMS,
                   help="assert this parameter count, the Java model's (0: no check; default: %(default)s)")
    args = p.parse_args()
    if args.steps < 1 or args.n < 1 or args.threads < 1 or args.sample_batch < 1:
        raise SystemExit("--steps, --n, --threads and --sample-batch must be >= 1")
    torch.set_num_threads(args.threads)
    samples_dir = os.path.join(args.out, "samples")
    os.makedirs(samples_dir, exist_ok=True)
    stale = [f for f in os.listdir(samples_dir) if re.fullmatch(r"\d{6}\.png", f)]
    for f in stale:  # our own earlier output: evaluate would score every image in the folder
        os.remove(os.path.join(samples_dir, f))
    if stale:
        print(f"removed {len(stale)} PNGs of an earlier run from {samples_dir}")

    cfg = tiny_unet_config()
    ab = alpha_bars(SCHEDULE["steps"], SCHEDULE["betaStart"], SCHEDULE["betaEnd"])
    ema, params, losses, train_s = train(args, cfg, ab)
    B = QUICK["batch_size"]
    final = sum(losses[-25:]) / len(losses[-25:])
    print(f"trained {args.steps} steps in {train_s:.1f} s ({args.steps * B / train_s:.1f} img/s), "
          f"final loss (mean of last 25 steps) {final:.4f}", flush=True)

    t0 = time.perf_counter()
    x = sample(ema, ab, args.n, args.sample_batch, args.seed)
    sample_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    q = to_bytes(x)
    for i in range(args.n):
        png_grey(os.path.join(samples_dir, f"{i:06d}.png"), q[i, 0])
    write_s = time.perf_counter() - t1
    print(f"sampled {args.n} images in {sample_s:.1f} s ({args.n / sample_s:.2f} img/s); "
          f"PNGs written in {write_s:.1f} s to {samples_dir}", flush=True)

    summary = dict(
        impl="pytorch", torch_version=torch.__version__, threads=torch.get_num_threads(), seed=args.seed,
        steps=args.steps, batch=B, train_seconds=train_s, train_images_per_s=args.steps * B / train_s,
        final_loss=final, final_loss_window=len(losses[-25:]), sample_seconds=sample_s,
        sample_images_per_s=args.n / sample_s, png_write_seconds=write_s, n=args.n, params=params,
        model=cfg, schedule=SCHEDULE, train_config=dict(QUICK, steps=args.steps, seed=args.seed),
        sampling=dict(SAMPLER, batch=args.sample_batch, timesteps=leading_timesteps(SCHEDULE["steps"], SAMPLER["steps"])),
        data=os.path.relpath(SUBSET, REPO), samples=samples_dir,
        evaluate=f"./bin/jdiffusion evaluate {samples_dir} --ref fashion-mnist --n {args.n}")
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(f"wrote {os.path.join(args.out, 'summary.json')}")


if __name__ == "__main__":
    main()
