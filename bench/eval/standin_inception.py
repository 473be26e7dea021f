"""A tiny stand-in for a TorchScript Inception-v3 (no weights can be downloaded here), and the
reference preprocessing of pytorch-fid applied by PyTorch, as an oracle for TorchScriptInception.

usage: standin_inception.py OUT_DIR MODE IMAGES.f32 N C H W
  MODE "tuple": forward returns (features [N, 8, 1, 1], logits [N, 5]); "tensor": features [N, 8] only.
Writes OUT_DIR/standin-MODE.pt and prints {"features": [...], "logits": [...]} for the images
(little-endian float32 [N, C, H, W] in [0, 1]) after: grey -> RGB, bilinear resize to 299x299
(align_corners=False), 2x - 1.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F


class TupleNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 7, stride=4)
        self.fc = torch.nn.Linear(8, 5)

    def forward(self, x):
        f = F.adaptive_avg_pool2d(F.relu(self.conv(x)), 1)  # like Inception's pool3: [N, 8, 1, 1]
        return f, self.fc(torch.flatten(f, 1))


class TensorNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 7, stride=4)

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(torch.tanh(self.conv(x)), 1), 1)


def preprocess(x):
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    return 2 * x - 1


if __name__ == "__main__":
    out_dir, mode, images = sys.argv[1], sys.argv[2], sys.argv[3]
    n, c, h, w = (int(v) for v in sys.argv[4:8])
    torch.manual_seed(0)
    net = (TupleNet() if mode == "tuple" else TensorNet()).eval()
    scripted = torch.jit.script(net)
    scripted.save(f"{out_dir}/standin-{mode}.pt")
    x = torch.from_numpy(np.fromfile(images, dtype="<f4").reshape(n, c, h, w).copy())
    with torch.no_grad():
        out = scripted(preprocess(x))
    if mode == "tuple":
        result = {"features": torch.flatten(out[0], 1).tolist(), "logits": out[1].tolist()}
    else:
        result = {"features": out.tolist(), "logits": None}
    result["torch"] = torch.__version__
    print(json.dumps(result))
