#!/usr/bin/env bash
# DDIM-50 images/s at batch 16 for google/ddpm-cifar10-32's U-Net (35.7 M parameters, random weights),
# jdiffusion against diffusers' UNet2DModel + DDIMScheduler on PyTorch, one after the other in one run,
# same thread count. Needs a diffusers checkout (DIFFUSERS, default /tmp/dfx-src; fetch it from
# github.com/huggingface/diffusers) and Debian's python3-torch. Writes target/diffusers-big/ once.
#   bench/diffusers_cifar10.sh [THREADS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS="${1:-2}"
DIFFUSERS="${DIFFUSERS:-/tmp/dfx-src}"
MODEL=target/diffusers-big/ddpm-cifar10-32
lscpu | grep -E "Model name|^CPU\(s\)" | tr -s ' '
if [ ! -f "$MODEL/config.json" ]; then
  /usr/bin/python3 scripts/diffusers_check.py big --diffusers "$DIFFUSERS"
fi
./bin/jdiffusion --version >/dev/null # build first, outside the timing
# jdiffusion: the time the sample command reports covers sampling only (model load and start-up excluded)
./bin/jdiffusion sample "$MODEL" -n 16 --batch 16 --sampler ddim --steps 50 --threads "$THREADS" -q \
  -o target/diffusers-big/jdiffusion-ddim50.png --force --json | tail -1
/usr/bin/python3 scripts/diffusers_check.py bench --diffusers "$DIFFUSERS" --threads "$THREADS" --batch 16 --steps 50
