#!/usr/bin/env python3
"""Replays every case of pipeline_fixtures.py from the committed files alone, following the recipe written at the
top of pipeline_fixtures.py step by step, WITHOUT diffusers' pipeline classes: the tokenizer and text encoder are
the reference ports (clip_tokenizer_ref, clip_text_ref), the UNet / VAE / schedulers are diffusers' model and
scheduler classes loaded from the pipeline folders, and the random draws come from the case's draw log (each
checked first against a fresh torch.Generator of the logged seed, as the Java test will do with libtorch).
It checks that the recipe and the recorded tensors say the same thing, i.e. that a port that follows the notes
reproduces the fixtures. Prints, per case, the largest relative difference (max |a - b| / max |b|) per stage.

    PYTORCH26_EXTRA=/tmp/diffusers:/tmp/hfhub PYTHONPATH=/tmp/diffusers/src:/tmp/hfhub/src \\
        /work/shared/tools/pytorch26 run scripts/t2i/pipeline_replay_check.py \\
        --fixtures src/test/resources/io/jdiffusion/t2i/pipelines
"""
import argparse
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

import diffusers  # noqa: E402
import diffusers.utils.torch_utils as torch_utils  # noqa: E402
from diffusers import AutoencoderKL, UNet2DConditionModel  # noqa: E402

import clip_text_ref  # noqa: E402
from clip_tokenizer_ref import ClipTokenizerRef  # noqa: E402

EXTRA_KEYS = {"architectures", "model_type", "torch_dtype", "dropout", "transformers_version", "_name_or_path"}


def rel(a, b):
    return float((a.double() - b.double()).abs().max() / b.double().abs().max().clamp_min(1e-30))


class DrawQueue:
    """Hands out the logged draws in order, in place of randn_tensor, checking each shape."""

    def __init__(self, record, tensors):
        self.items = [(d, tensors[d["key"]]) for d in record["draws"]]
        self.used = 0
        original = torch_utils.randn_tensor

        def replay(shape, generator=None, **kw):
            d, t = self.items[self.used]
            if list(shape) != d["shape"]:
                raise RuntimeError(f"draw {self.used}: shape {list(shape)} but the log has {d['shape']}")
            self.used += 1
            return t.clone()

        # every module that imported randn_tensor by name (pipelines, schedulers, the VAE's distribution)
        for mod in list(sys.modules.values()):
            if getattr(mod, "randn_tensor", None) is original:
                mod.randn_tensor = replay
        self.replay = replay

    def next(self, shape):
        return self.replay(shape)


def check_draws(record, tensors):
    """Each logged draw equals torch.randn from fresh generators of the logged seeds, in log order (a list of
    generators: one (1, ...) draw per generator, concatenated)."""
    gens = {}
    worst = 0.0
    for d in record["draws"]:
        parts = []
        for seed in d["generators"]:
            g = gens.setdefault(seed, torch.Generator().manual_seed(seed))
            shape = [1] + d["shape"][1:] if d["per_generator"] else d["shape"]
            parts.append(torch.randn(shape, generator=g, dtype=torch.float32))
        mine = torch.cat(parts) if d["per_generator"] else parts[0]
        worst = max(worst, float((mine - tensors[d["key"]]).abs().max()))
    return worst


def load_text_encoder(folder):
    raw = json.load(open(os.path.join(folder, "config.json")))
    model = clip_text_ref.CLIPTextModel(clip_text_ref.Config(**{k: v for k, v in raw.items() if k not in EXTRA_KEYS}))
    model.load_state_dict(load_file(os.path.join(folder, "model.safetensors")), strict=True)
    return model.eval()


def replay(record, tensors, root):
    folder = os.path.join(root, record["folder"])
    args = record["args"]
    out = {}
    tok = ClipTokenizerRef(os.path.join(folder, "tokenizer"))
    te = load_text_encoder(os.path.join(folder, "text_encoder"))
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, "unet")).eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(folder, "vae")).eval()
    if record["scheduler_swap"]:
        cfg_path = os.path.join(root, record["scheduler_swap"]["folder"], "scheduler_config.json")
    else:
        cfg_path = os.path.join(folder, "scheduler", "scheduler_config.json")
    cfg = json.load(open(cfg_path))
    sched = getattr(diffusers, cfg["_class_name"]).from_config(cfg)
    queue = DrawQueue(record, tensors)
    sf = vae.config.scaling_factor
    f = 2 ** (len(vae.config.block_out_channels) - 1)

    # 1-4: prompts, CFG
    prompts = [args["prompt"]] if isinstance(args["prompt"], str) else args["prompt"]
    n = args.get("num_images_per_prompt", 1)
    batch = len(prompts) * n
    g = args.get("guidance_scale", 7.5)
    cfg_on = g > 1 and unet.config.time_cond_proj_dim is None
    ids = torch.tensor([tok(p, "max_length", 77, True) for p in prompts])
    out["ids"] = float((ids != tensors["text_encoder_ids_0"]).sum())
    with torch.no_grad():
        pe = clip_text_ref.encode_prompt_embeds(te, ids, args.get("clip_skip")).repeat_interleave(n, dim=0)
        out["prompt_embeds"] = rel(pe, tensors["prompt_embeds"])
        cond = pe
        if cfg_on:
            neg = args.get("negative_prompt")
            negs = [""] * len(prompts) if neg is None else ([neg] if isinstance(neg, str) else neg)
            nids = torch.tensor([tok(p, "max_length", 77, True) for p in negs])
            out["ids"] += float((nids != tensors["text_encoder_ids_1"]).sum())
            ne = clip_text_ref.encode_prompt_embeds(te, nids, None).repeat_interleave(n, dim=0)
            out["negative_prompt_embeds"] = rel(ne, tensors["negative_prompt_embeds"])
            cond = torch.cat([ne, pe])

        # 5: timesteps (img2img / inpaint: strength)
        steps = args["num_inference_steps"]
        sched.set_timesteps(steps)
        timesteps = sched.timesteps
        strength = args.get("strength", 1.0 if record["pipeline"] != "StableDiffusionImg2ImgPipeline" else 0.8)
        if record["pipeline"] != "StableDiffusionPipeline":
            init_t = min(int(steps * strength), steps)
            t_start = max(steps - init_t, 0)
            timesteps = sched.timesteps[t_start * sched.order:]
            if hasattr(sched, "set_begin_index"):
                sched.set_begin_index(t_start * sched.order)
        latent_t = timesteps[:1].repeat(batch)
        per_image = record["per_image_generators"]

        def encode(x, per):
            """scaling_factor * (mean + std * draw): per image with a generator list, else one batch encode."""
            parts = [x[i:i + 1] for i in range(x.shape[0])] if per else [x]
            lat = []
            for p in parts:
                dist = vae.encode(p).latent_dist
                lat.append(dist.mean + dist.std * queue.next(dist.mean.shape))
            return sf * torch.cat(lat)

        # 6: latents
        if record["pipeline"] == "StableDiffusionPipeline":
            h, w = args.get("height"), args.get("width")
            latents = queue.next((batch, unet.config.in_channels, h // f, w // f)) * sched.init_noise_sigma
        else:
            u8 = tensors["init_image"]
            image = (u8.permute(2, 0, 1)[None].float() / 255.0) * 2 - 1
            out["image_tensor"] = rel(image, tensors["image_tensor"])
            if record["pipeline"] == "StableDiffusionImg2ImgPipeline":
                x = torch.cat([image] * batch) if per_image else image
                init = encode(x, per_image)
                init = torch.cat([init] * (batch // init.shape[0]))
                noise = queue.next(init.shape)
                latents = sched.add_noise(init, noise, latent_t)
            else:
                h, w = image.shape[2], image.shape[3]
                mask_cond = (tensors["mask_image"][None, None].float() / 255.0 >= 0.5).float()
                out["mask_condition"] = rel(mask_cond, tensors["mask_condition"])
                four = unet.config.in_channels == 4
                if four or strength < 1.0:
                    image_latents = encode(image, per_image)  # one image: generator[0] only
                    image_latents = image_latents.repeat(batch // image_latents.shape[0], 1, 1, 1)
                noise = queue.next((batch, vae.config.latent_channels, h // f, w // f))
                latents = noise * sched.init_noise_sigma if strength == 1.0 else sched.add_noise(
                    image_latents, noise, latent_t)
                mask = F.interpolate(mask_cond, size=(h // f, w // f))
                masked = encode(image * (mask_cond < 0.5), per_image)
                mask = mask.repeat(batch // mask.shape[0], 1, 1, 1)
                masked = masked.repeat(batch // masked.shape[0], 1, 1, 1)
                if cfg_on:
                    mask, masked = torch.cat([mask] * 2), torch.cat([masked] * 2)
                out["mask"] = rel(mask, tensors["mask"])
                out["masked_image_latents"] = rel(masked, tensors["masked_image_latents"])
        out["latents_init"] = rel(latents, tensors["latents_init"])

        # 7-8: loop
        import inspect
        params = set(inspect.signature(sched.step).parameters)
        kw = {}
        if "eta" in params:
            kw["eta"] = args.get("eta", 0.0)
        if "generator" in params:
            kw["generator"] = None  # the draws come from the queue
        worst_step = 0.0
        for i, t in enumerate(timesteps):
            x = torch.cat([latents] * 2) if cfg_on else latents
            x = sched.scale_model_input(x, t)
            if unet.config.in_channels == 9:
                x = torch.cat([x, mask, masked], dim=1)
            eps = unet(x, t, encoder_hidden_states=cond).sample
            if cfg_on:
                eu, et = eps.chunk(2)
                eps = eu + g * (et - eu)
                rescale = args.get("guidance_rescale", 0.0)
                if rescale > 0:
                    std_t = et.std(dim=[1, 2, 3], keepdim=True)
                    std_c = eps.std(dim=[1, 2, 3], keepdim=True)
                    eps = rescale * (eps * (std_t / std_c)) + (1 - rescale) * eps
            latents = sched.step(eps, t, latents, **kw).prev_sample
            if unet.config.in_channels == 4 and record["pipeline"] == "StableDiffusionInpaintPipeline":
                init_mask = mask.chunk(2)[0] if cfg_on else mask
                proper = image_latents
                if i < len(timesteps) - 1:
                    proper = sched.add_noise(image_latents, noise, torch.tensor([timesteps[i + 1]]))
                latents = (1 - init_mask) * proper + init_mask * latents
            worst_step = max(worst_step, rel(latents, tensors[f"latents_{i}"]))
        out["latents_steps"] = worst_step
        if queue.used != len(queue.items):
            raise RuntimeError(f"{queue.used} of {len(queue.items)} draws used")

        # 9-10: decode, postprocess
        decoded = vae.decode(latents / sf).sample
        out["decoded"] = rel(decoded, tensors["decoded"])
        image = (decoded / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1)
        out["image"] = rel(image, tensors["image"])
        u8 = (image.numpy() * 255).round().astype("uint8")
        out["uint8_mismatch"] = float((torch.from_numpy(u8).int() - tensors["image_uint8"].int()).abs().max())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    worst = 0.0
    for path in sorted(glob.glob(os.path.join(a.fixtures, "cases", "*.json"))):
        record = json.load(open(path))
        tensors = load_file(path[:-5] + ".safetensors")
        draws = check_draws(record, tensors)
        out = replay(record, tensors, a.fixtures)
        worst = max([worst] + [v for k, v in out.items() if k not in ("ids", "uint8_mismatch")])
        print(f"{record['name']:24s} draws={draws:.1e} " + " ".join(f"{k}={v:.1e}" for k, v in out.items()),
              flush=True)
    print(f"worst relative difference {worst:.2e}")


if __name__ == "__main__":
    main()
