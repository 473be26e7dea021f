#!/usr/bin/env python3
"""diffusers' Stable Diffusion at full size and random weights, timed on this CPU: the peer column of the
large-model rows in docs/benchmarks.md (bench/sd.sh runs it beside io.jdiffusion.bench.SdBench).

From the repository root, through PyTorch 2.6 (../shared/tools/pytorch26) with diffusers' sources:

    PYTORCH26_EXTRA=/tmp/diffusers:/tmp/hfhub PYTHONPATH=/tmp/diffusers/src:/tmp/hfhub/src \\
        ../shared/tools/pytorch26 run bench/sd_bench.py build sd15|turbo DIR
    ... bench/sd_bench.py step DIR fp32|bf16 REPEATS   one classifier-free-guided UNet step at 512x512 (batch 2)
    ... bench/sd_bench.py image DIR fp32|bf16 REPEATS  a 512x512 image in 1 step without guidance (SD-turbo's
                                                       use): tokenizer, text encoder, UNet, VAE decode, PNG-ready
    ... bench/sd_bench.py build ddpm256 DIR            google/ddpm-celebahq-256's UNet2DModel (113.7 M) folder
    ... bench/sd_bench.py unet2d-step DIR fp32|bf16 REPEATS   one forward of it at 256x256, batch 1

`build` writes a pipeline folder exactly as StableDiffusionPipeline.save_pretrained does, with the real
architectures (sd15: runwayml's UNet 860 M, CLIP ViT-L/14 text tower 123 M, the SD VAE 84 M, PNDM; turbo:
stabilityai/sd-turbo's UNet 866 M with linear projections and per-block heads, the OpenCLIP-H text tower 340 M
with gelu, the SD VAE, Euler with trailing spacing) at random weights. transformers is replaced by
scripts/t2i/transformers_standin.py (its CLIPTextModel is scripts/t2i/clip_text_ref.py); the tokenizer is the
small test vocabulary of jdiffusion-core's fixtures, so ids stay below the full vocabulary size. Weights do not
change the time of these networks.

The timed calls print one JSON line each: the milliseconds of every repeat after one untimed warm-up call, the
first (warm-up) call's milliseconds, and the process's peak RSS (VmHWM) in kB.
"""
import json
import math
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "t2i"))
import transformers_standin  # noqa: E402

transformers_standin.install()

import torch  # noqa: E402
import clip_text_ref  # noqa: E402
from diffusers import (AutoencoderKL, EulerDiscreteScheduler, PNDMScheduler, StableDiffusionPipeline,  # noqa: E402
                       UNet2DConditionModel, UNet2DModel)
from transformers import CLIPTextModel, CLIPTokenizer  # noqa: E402  (the stand-in)

TOKENIZERS = os.path.join(ROOT, "jdiffusion-core", "src", "test", "resources", "io", "jdiffusion", "t2i", "tok")
BETAS = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
UNET = dict(sample_size=64, in_channels=4, out_channels=4, block_out_channels=(320, 640, 1280, 1280),
            layers_per_block=2, norm_num_groups=32, act_fn="silu", center_input_sample=False,
            downsample_padding=1, flip_sin_to_cos=True, freq_shift=0, mid_block_scale_factor=1, norm_eps=1e-5,
            down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
            up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)
ARCH = {
    "sd15": dict(unet=dict(UNET, cross_attention_dim=768, attention_head_dim=8),
                 text=dict(hidden_size=768, intermediate_size=3072, projection_dim=768, num_hidden_layers=12,
                           num_attention_heads=12, hidden_act="quick_gelu"),
                 tokenizer="sd1"),
    "turbo": dict(unet=dict(UNET, cross_attention_dim=1024, attention_head_dim=[5, 10, 20, 20],
                            use_linear_projection=True),
                  text=dict(hidden_size=1024, intermediate_size=4096, projection_dim=512, num_hidden_layers=23,
                            num_attention_heads=16, hidden_act="gelu"),
                  tokenizer="sd2"),
}
# google/ddpm-celebahq-256's UNet2DModel configuration (as scripts/diffusers_check.py): attention at 16x16 only
CELEBAHQ = dict(sample_size=256, in_channels=3, out_channels=3, layers_per_block=2,
                block_out_channels=(128, 128, 256, 256, 512, 512),
                down_block_types=("DownBlock2D",) * 4 + ("AttnDownBlock2D", "DownBlock2D"),
                up_block_types=("UpBlock2D", "AttnUpBlock2D") + ("UpBlock2D",) * 4,
                attention_head_dim=None, norm_eps=1e-6, norm_num_groups=32, downsample_padding=0,
                flip_sin_to_cos=False, freq_shift=1, act_fn="silu", mid_block_scale_factor=1, dropout=0.0)
PROMPT = "a cinematic shot of a baby racoon wearing an intricate italian priest robe"


def peak_rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def randomize(model, gen):
    """Matrices and kernels N(0, 1/fan_in), norm weights 1, other vectors N(0, 0.01): finite activations."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim >= 2:
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p[0].numel()))
            elif "norm" in name and name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
    return model.eval()


def build(arch, out):
    gen = torch.Generator().manual_seed(2026)
    if arch == "ddpm256":
        randomize(UNet2DModel(**CELEBAHQ), gen).save_pretrained(out)
        print(f"wrote {out}", file=sys.stderr)
        return
    a = ARCH[arch]
    tok_dir = os.path.join(TOKENIZERS, a["tokenizer"])
    vocab = json.load(open(os.path.join(tok_dir, "vocab.json")))
    text = CLIPTextModel(clip_text_ref.Config(vocab_size=49408, max_position_embeddings=77,
                                              bos_token_id=vocab["<|startoftext|>"],
                                              eos_token_id=vocab["<|endoftext|>"], **a["text"]))
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512),
                        layers_per_block=2, down_block_types=("DownEncoderBlock2D",) * 4,
                        up_block_types=("UpDecoderBlock2D",) * 4, norm_num_groups=32, sample_size=512,
                        scaling_factor=0.18215)
    sched = (PNDMScheduler(**BETAS, skip_prk_steps=True, steps_offset=1, set_alpha_to_one=False) if arch == "sd15"
             else EulerDiscreteScheduler(**BETAS, timestep_spacing="trailing", steps_offset=1))
    pipe = StableDiffusionPipeline(vae=randomize(vae, gen), text_encoder=randomize(text, gen),
                                   tokenizer=CLIPTokenizer(tok_dir),
                                   unet=randomize(UNet2DConditionModel(**a["unet"]), gen), scheduler=sched,
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(out)
    print(f"wrote {out}: unet {sum(p.numel() for p in pipe.unet.parameters()):,}, text encoder "
          f"{sum(p.numel() for p in pipe.text_encoder.parameters()):,}, vae {sum(p.numel() for p in vae.parameters()):,}"
          " parameters", file=sys.stderr)


def timed(call, repeats):
    t0 = time.perf_counter()
    call()
    first = (time.perf_counter() - t0) * 1000
    ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        ms.append((time.perf_counter() - t0) * 1000)
    return first, ms


def report(mode, folder, precision, first, ms):
    print(json.dumps({"impl": "diffusers on pytorch " + torch.__version__, "mode": mode,
                      "model": os.path.basename(os.path.normpath(folder)), "precision": precision,
                      "threads": torch.get_num_threads(), "first_ms": round(first, 1),
                      "ms": [round(m, 1) for m in ms], "peak_rss_kb": peak_rss_kb()}), flush=True)


def step(folder, precision, repeats):
    dt = torch.bfloat16 if precision == "bf16" else torch.float32
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, "unet"), torch_dtype=dt).eval()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, 64, 64, generator=gen).to(dt)
    c = torch.randn(2, 77, unet.config.cross_attention_dim, generator=gen).to(dt)
    t = torch.tensor([500.0, 500.0])
    with torch.no_grad():
        first, ms = timed(lambda: unet(x, t, encoder_hidden_states=c).sample, repeats)
    report("sd-unet-step-512-cfg", folder, precision, first, ms)


def unet2d_step(folder, precision, repeats):
    dt = torch.bfloat16 if precision == "bf16" else torch.float32
    unet = UNet2DModel.from_pretrained(folder, torch_dtype=dt).eval()
    x = torch.randn(1, 3, 256, 256, generator=torch.Generator().manual_seed(0)).to(dt)
    t = torch.tensor([500.0])
    with torch.no_grad():
        first, ms = timed(lambda: unet(x, t).sample, repeats)
    report("unet2d-step-256", folder, precision, first, ms)


def image(folder, precision, repeats):
    dt = torch.bfloat16 if precision == "bf16" else torch.float32
    pipe = StableDiffusionPipeline.from_pretrained(folder, torch_dtype=dt, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)

    def call():
        return pipe(PROMPT, num_inference_steps=1, guidance_scale=0.0, height=512, width=512,
                    generator=torch.Generator().manual_seed(0)).images[0]

    first, ms = timed(call, repeats)
    report("sd-image-512-1step", folder, precision, first, ms)


def main(argv):
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    cmd = argv[0]
    if cmd == "build":
        build(argv[1], argv[2])
    elif cmd == "step":
        step(argv[1], argv[2], int(argv[3]))
    elif cmd == "image":
        image(argv[1], argv[2], int(argv[3]))
    elif cmd == "unet2d-step":
        unet2d_step(argv[1], argv[2], int(argv[3]))
    else:
        raise SystemExit("usage: sd_bench.py build sd15|turbo DIR | step DIR fp32|bf16 N | image DIR fp32|bf16 N")


if __name__ == "__main__":
    main(sys.argv[1:])
