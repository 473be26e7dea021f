#!/usr/bin/env python3
"""A PyTorch port of transformers' CLIPTextModel (the text path only), the reference for jdiffusion's
io.jdiffusion.nn.clip.ClipTextModel. transformers itself cannot be installed here, so this module
re-states its forward from the source, with its parameter names, so that state dicts load both ways:

    huggingface/transformers  src/transformers/models/clip/modeling_clip.py
        at commit 000f1ffdbf1ce6190cc8863af9a2fff817590937
        (CLIPTextEmbeddings, eager_attention_forward, CLIPAttention, CLIPMLP, CLIPEncoderLayer,
         CLIPEncoder, CLIPTextTransformer, CLIPTextModel)
    huggingface/transformers  src/transformers/activations.py
        at commit 00e12e7c54598e50e7bef1540db3408f81916de1 (ACT2FN)
    huggingface/transformers  src/transformers/models/clip/configuration_clip.py
        at commit 01841b341b64ab547cd2e30f09cb9c74929f50f2 (CLIPTextConfig's fields and defaults)

Differences from transformers, none of which changes a number: no weight initialisation of its own
(callers draw random weights), no pooler output, no attention-implementation dispatch (the eager path:
scores + causal mask of the dtype's minimum, softmax in float32), hidden states collected in a list as
transformers' output_hidden_states returns them: (embeddings, layer 1, ..., layer N), the last one
before the final layer norm.

`encode_prompt_embeds` is the text-encoder part of diffusers' StableDiffusionPipeline.encode_prompt
(diffusers 58eb52c0, src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion.py lines
422-437): last_hidden_state without clip_skip, else hidden_states[-(clip_skip + 1)] through
final_layer_norm.

`save_pretrained` writes a text_encoder/ folder as CLIPTextModel.save_pretrained does: config.json
with CLIPTextConfig's fields, and model.safetensors (or model.<variant>.safetensors), sharded with
model.safetensors.index.json when max_shard_bytes is given. Used by clip_text_fixtures.py; no
command of its own.
"""
import json
import math
import os

import torch
from torch import nn

# transformers' ACT2FN (activations.py); CLIP's configs name quick_gelu (OpenAI CLIP) or gelu (OpenCLIP)
ACT2FN = {
    "gelu": lambda x: nn.functional.gelu(x),
    "gelu_python": lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))),
    "gelu_new": lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0)))),
    "gelu_fast": lambda x: 0.5 * x * (1.0 + torch.tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x))),
    "gelu_pytorch_tanh": lambda x: nn.functional.gelu(x, approximate="tanh"),
    "gelu_10": lambda x: torch.clip(nn.functional.gelu(x), -10, 10),
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "relu": torch.relu,
    "silu": nn.functional.silu,
    "swish": nn.functional.silu,
    "mish": nn.functional.mish,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda x: x,
}

# CLIPTextConfig.__init__ defaults (configuration_clip.py)
DEFAULTS = dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, projection_dim=512,
                num_hidden_layers=12, num_attention_heads=8, max_position_embeddings=77,
                hidden_act="quick_gelu", layer_norm_eps=1e-5, attention_dropout=0.0,
                initializer_range=0.02, initializer_factor=1.0, pad_token_id=1, bos_token_id=49406,
                eos_token_id=49407)


class Config:
    """CLIPTextConfig's fields (defaults as transformers'), as attributes."""

    def __init__(self, **kw):
        unknown = set(kw) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown CLIPTextConfig fields {sorted(unknown)}")
        for k, v in {**DEFAULTS, **kw}.items():
            setattr(self, k, v)

    def to_json(self, torch_dtype="float32"):
        """config.json as save_pretrained writes a CLIPTextModel's (sorted keys, as to_json_string does)."""
        d = {k: getattr(self, k) for k in DEFAULTS}
        d.update(architectures=["CLIPTextModel"], model_type="clip_text_model", torch_dtype=torch_dtype,
                 dropout=0.0, transformers_version="4.46.3")
        return json.dumps(dict(sorted(d.items())), indent=2) + "\n"


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c.vocab_size, c.hidden_size)
        self.position_embedding = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids):
        seq_length = input_ids.shape[-1]
        if seq_length > self.position_embedding.weight.shape[0]:
            raise ValueError("Sequence length must be less than max_position_embeddings")
        position_ids = self.position_ids[:, :seq_length]
        return self.token_embedding(input_ids) + self.position_embedding(position_ids)


class CLIPAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_dim = c.hidden_size
        self.num_heads = c.num_attention_heads
        self.head_dim = self.embed_dim // self.num_heads
        if self.head_dim * self.num_heads != self.embed_dim:
            raise ValueError("embed_dim must be divisible by num_heads")
        self.scale = self.head_dim ** -0.5
        self.k_proj = nn.Linear(self.embed_dim, self.embed_dim)
        self.v_proj = nn.Linear(self.embed_dim, self.embed_dim)
        self.q_proj = nn.Linear(self.embed_dim, self.embed_dim)
        self.out_proj = nn.Linear(self.embed_dim, self.embed_dim)

    def forward(self, hidden_states, attention_mask):
        b, n, _ = hidden_states.shape
        q = self.q_proj(hidden_states).view(b, n, -1, self.head_dim).transpose(1, 2)
        k = self.k_proj(hidden_states).view(b, n, -1, self.head_dim).transpose(1, 2)
        v = self.v_proj(hidden_states).view(b, n, -1, self.head_dim).transpose(1, 2)
        # eager_attention_forward
        w = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        w = w + attention_mask
        w = nn.functional.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(w, v).transpose(1, 2).contiguous()
        return self.out_proj(out.reshape(b, n, -1).contiguous())


class CLIPMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c.hidden_act not in ACT2FN:
            raise KeyError(f"function {c.hidden_act} not found in ACT2FN mapping {list(ACT2FN)}")
        self.activation_fn = ACT2FN[c.hidden_act]
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x):
        return self.fc2(self.activation_fn(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = CLIPAttention(c)
        self.layer_norm1 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.mlp = CLIPMLP(c)
        self.layer_norm2 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, h, mask):
        h = h + self.self_attn(self.layer_norm1(h), mask)
        return h + self.mlp(self.layer_norm2(h))


class CLIPEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(c) for _ in range(c.num_hidden_layers)])


class CLIPTextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(c)
        self.encoder = CLIPEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, input_ids):
        input_ids = input_ids.view(-1, input_ids.shape[-1])
        h = self.embeddings(input_ids)
        n = h.shape[1]
        # the causal mask transformers builds for eager attention: 0 on and below the diagonal, the
        # dtype's minimum above it, broadcast over batch and heads
        mask = torch.full((n, n), torch.finfo(h.dtype).min, dtype=h.dtype).triu(1)[None, None]
        hidden_states = [h]
        for layer in self.encoder.layers:
            h = layer(h, mask)
            hidden_states.append(h)
        return self.final_layer_norm(h), hidden_states


class CLIPTextModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.text_model = CLIPTextTransformer(c)

    def forward(self, input_ids):
        """(last_hidden_state, hidden_states) as transformers returns them with output_hidden_states=True."""
        return self.text_model(input_ids)


def encode_prompt_embeds(model, input_ids, clip_skip=None):
    """diffusers' StableDiffusionPipeline.encode_prompt, text-encoder part (no attention mask)."""
    last, hidden = model(input_ids)
    if clip_skip is None:
        return last
    return model.text_model.final_layer_norm(hidden[-(clip_skip + 1)])


def randomize(model, generator):
    """Random weights that make every parameter matter: linear weights N(0, 1/in), biases N(0, 0.1^2),
    embeddings N(0, 1), layer norm weights 1 + N(0, 0.2^2) and biases N(0, 0.2^2)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            z = torch.randn(p.shape, generator=generator)
            if "layer_norm" in name:
                p.copy_(1 + 0.2 * z if name.endswith("weight") else 0.2 * z)
            elif "embedding" in name:
                p.copy_(z)
            elif name.endswith("weight"):
                p.copy_(z / math.sqrt(p.shape[1]))
            else:
                p.copy_(0.1 * z)


def save_pretrained(model, directory, variant=None, dtype=torch.float32, max_shard_bytes=None, position_ids=False):
    """A text_encoder/ folder as CLIPTextModel.save_pretrained(directory, variant=..., max_shard_size=...)
    writes it: config.json and safetensors weights. The position_ids buffer is not persistent today;
    position_ids=True stores it (int64 [1, max_position_embeddings]) as transformers before 4.31 did,
    and as SD 1.x's published text encoders still hold it."""
    from safetensors.torch import save_file
    os.makedirs(directory, exist_ok=True)
    names = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}
    with open(os.path.join(directory, "config.json"), "w") as f:
        f.write(model.config.to_json(names[dtype]))
    state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    if position_ids:
        state["text_model.embeddings.position_ids"] = model.text_model.embeddings.position_ids.clone()
    stem = "model" if variant is None else f"model.{variant}"
    if max_shard_bytes is None:
        save_file(state, os.path.join(directory, stem + ".safetensors"), metadata={"format": "pt"})
        return
    shards, current, size = [], {}, 0
    for k, v in state.items():
        nbytes = v.numel() * v.element_size()
        if current and size + nbytes > max_shard_bytes:
            shards.append(current)
            current, size = {}, 0
        current[k] = v
        size += nbytes
    shards.append(current)
    weight_map = {}
    for i, shard in enumerate(shards):
        name = f"{stem}-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, os.path.join(directory, name), metadata={"format": "pt"})
        weight_map.update({k: name for k in shard})
    index = "model.safetensors.index.json" if variant is None else f"model.safetensors.index.{variant}.json"
    total = sum(v.numel() * v.element_size() for v in state.values())
    with open(os.path.join(directory, index), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
        f.write("\n")
