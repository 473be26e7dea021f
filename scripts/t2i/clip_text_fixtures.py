#!/usr/bin/env python3
"""Writes the CLIP text encoder fixtures of io.jdiffusion.nn.clip.ClipTextModelTest: tiny random
CLIPTextModel folders (as transformers' save_pretrained writes a pipeline's text_encoder/) with the
outputs of clip_text_ref.py (a port of transformers' CLIPTextModel) as diffusers' encode_prompt uses
them, without clip_skip and with clip_skip 1 and 2.

Regenerate (from the repository root; PyTorch 2.6 with safetensors in the pytorch26 chroot):

    ../shared/tools/pytorch26 run scripts/t2i/clip_text_fixtures.py \
        --out src/test/resources/io/jdiffusion/t2i/clip

Written under --out:
  sd1/          config.json + model.safetensors: diffusers' SD 1.x test encoder (tests/pipelines/
                stable_diffusion_2/test_stable_diffusion.py get_dummy_components sizes: hidden 32,
                5 layers, 4 heads, intermediate 37, vocab 1000, 77 positions, bos 0, eos 2, pad 1) with
                hidden_act quick_gelu (OpenAI CLIP ViT-L/14's, SD 1.x)
  sd2/          the same sizes with hidden_act gelu (OpenCLIP-H's, SD 2.x), other weights
  sd1_fp16/     sd1's weights as model.fp16.safetensors only (F16; sd1's weights are drawn fp16-exact,
                so sd1's outputs are this folder's outputs too)
  sd1_sharded/  sd1's weights in 3 shards with model.safetensors.index.json, and the int64
                text_model.embeddings.position_ids buffer that transformers before 4.31 saved
  sd1/io.safetensors, sd2/io.safetensors:
                ids [3, 77] (float32 holding integers: a short prompt padded with pad_token_id, a full
                77-token one, and the empty prompt bos eos pad...), last [3, 77, 32] (last_hidden_state),
                skip1, skip2 (clip_skip 1, 2), ids_short [2, 16] and last_short (a sequence shorter than
                max_position_embeddings)

With --full DIR instead (the opt-in full-size check; ClipTextModelTest runs it itself when asked):
DIR/text_encoder/ is SD 1.5's text encoder architecture (CLIP ViT-L/14 text: 12 layers, hidden 768,
12 heads, MLP 3072, vocab 49408, quick_gelu) at random weights (seed 0), and DIR/io.safetensors holds
ids [2, 77], last and skip2.
"""
import argparse
import os
import shutil
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clip_text_ref as ref  # noqa: E402

TINY = dict(bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=32, intermediate_size=37,
            layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=5, vocab_size=1000,
            max_position_embeddings=77)


def prompt_ids(c, g, batch_lengths, n=77):
    """Token rows as CLIPTokenizer pads them: bos, tokens, eos, then pad_token_id up to n."""
    rows = []
    for length in batch_lengths:
        toks = torch.randint(3, c.vocab_size, (length,), generator=g).tolist()
        row = [c.bos_token_id] + toks + [c.eos_token_id]
        rows.append(row + [c.pad_token_id] * (n - len(row)))
    return torch.tensor(rows, dtype=torch.long)


def build(c, seed, fp16_exact):
    torch.manual_seed(seed)
    m = ref.CLIPTextModel(c).eval()
    ref.randomize(m, torch.Generator().manual_seed(seed))
    if fp16_exact:
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(p.half().float())
    return m


def outputs(m, ids):
    with torch.no_grad():
        return {
            "ids": ids.float(),
            "last": ref.encode_prompt_embeds(m, ids),
            "skip1": ref.encode_prompt_embeds(m, ids, clip_skip=1),
            "skip2": ref.encode_prompt_embeds(m, ids, clip_skip=2),
        }


def tiny(out):
    for name, act, seed in [("sd1", "quick_gelu", 0), ("sd2", "gelu", 1)]:
        c = ref.Config(hidden_act=act, **TINY)
        m = build(c, seed, fp16_exact=True)
        d = os.path.join(out, name)
        shutil.rmtree(d, ignore_errors=True)
        ref.save_pretrained(m, d)
        g = torch.Generator().manual_seed(100 + seed)
        io = outputs(m, prompt_ids(c, g, [10, 75, 0]))
        short = prompt_ids(c, g, [5, 14], n=16)
        with torch.no_grad():
            io["ids_short"] = short.float()
            io["last_short"] = ref.encode_prompt_embeds(m, short)
        save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(d, "io.safetensors"))
        if name == "sd1":
            for sub, kw in [("sd1_fp16", dict(variant="fp16", dtype=torch.float16)),
                            ("sd1_sharded", dict(max_shard_bytes=100_000, position_ids=True))]:
                shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
                ref.save_pretrained(m, os.path.join(out, sub), **kw)
        print(f"{name}: {sum(p.numel() for p in m.parameters())} parameters, |last| max "
              f"{io['last'].abs().max():.3f}, |skip2| max {io['skip2'].abs().max():.3f}")


def full(out):
    c = ref.Config(bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=768, intermediate_size=3072,
                   num_attention_heads=12, num_hidden_layers=12, vocab_size=49408, projection_dim=768,
                   hidden_act="quick_gelu")
    m = build(c, 0, fp16_exact=False)
    ref.save_pretrained(m, os.path.join(out, "text_encoder"))
    ids = prompt_ids(c, torch.Generator().manual_seed(7), [20, 0])
    io = outputs(m, ids)
    del io["skip1"]
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(out, "io.safetensors"))
    print(f"full: {sum(p.numel() for p in m.parameters())} parameters, |last| max {io['last'].abs().max():.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", help="fixture folder (src/test/resources/io/jdiffusion/t2i/clip)")
    group.add_argument("--full", help="folder for the full-size SD 1.5 text encoder check")
    a = ap.parse_args()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    if a.out:
        tiny(a.out)
    else:
        full(a.full)


if __name__ == "__main__":
    main()
