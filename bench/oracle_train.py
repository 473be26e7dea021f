"""Replays a jdiffusion training trace in PyTorch and prints the losses it gets.

Input: a safetensors file written by the Java test (OracleTest) holding
  init.<param>            the Java model's initial weights
  step<k>.x0/.eps/.t      each step's clean images, noise and timesteps (t as float)
and metadata: "unet" (UNetConfig JSON), "train" (lr per step, AdamW settings, clip, alphaBar table),
"seed". Output (stdout, JSON): PyTorch's loss per step, the gradient norm per step, the largest
difference between the Java initial weights and PyTorch's own init under the same seed, and the
PyTorch version.
Usage: python3 oracle_train.py TRACE.safetensors
"""
import json
import sys

import torch

sys.path.insert(0, __import__("os").path.dirname(__file__))
from reference_unet import UNet, read_safetensors  # noqa: E402


def main(path):
    torch.set_num_threads(2)
    tensors, meta = read_safetensors(path)
    cfg = json.loads(meta["unet"])
    train = json.loads(meta["train"])
    torch.manual_seed(int(meta["seed"]))
    model = UNet(cfg)
    own = {n: p.detach().clone() for n, p in model.named_parameters()}
    init_diff = max((own[n] - tensors["init." + n]).abs().max().item() for n in own)
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(tensors["init." + n])
    opt = torch.optim.AdamW(model.parameters(), lr=train["lr"][0], betas=(train["beta1"], train["beta2"]),
                            eps=train["eps"], weight_decay=train["weightDecay"])
    alpha_bar = torch.tensor(train["alphaBar"], dtype=torch.float64)
    losses, norms = [], []
    for k, lr in enumerate(train["lr"]):
        x0, eps, t = tensors[f"step{k}.x0"], tensors[f"step{k}.eps"], tensors[f"step{k}.t"]
        ti = t.long()
        a = alpha_bar[ti].sqrt().float()[:, None, None, None]
        b = (1 - alpha_bar[ti]).sqrt().float()[:, None, None, None]
        xt = a * x0 + b * eps
        out = model(xt, t)
        loss = torch.nn.functional.mse_loss(out, eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), train["clip"])))
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        losses.append(loss.item())
    print(json.dumps({"losses": losses, "grad_norms": norms, "init_max_diff": init_diff,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
