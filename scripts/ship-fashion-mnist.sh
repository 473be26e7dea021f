#!/usr/bin/env bash
# Rebuilds the shipped fashion-mnist model from scratch and checks it bit for bit.
#
#   scripts/ship-fashion-mnist.sh [RUN_DIR]     (default: runs/fashion-mnist-ship)
#
# One command, the one in the model card (src/main/resources/io/jdiffusion/models/fashion-mnist/
# MODEL_CARD.md): the quick-start U-Net on the embedded Fashion-MNIST subset, 8000 steps of batch 64
# with EMA 0.999 (about an hour on 2 cores), then its EMA weights exported in bfloat16. Training is
# deterministic for a fixed seed, thread count and CPU kind, so the export's sha256 equals the pinned
# one (Pretrained.FASHION_MNIST) when this runs with 2 libtorch threads on the machine kind the card
# names; another CPU kind rounds convolutions differently and gives other (equally good) bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/fashion-mnist-ship}
./bin/jdiffusion train --steps 8000 --ema-decay 0.999 --checkpoint-every 1000 --keep-checkpoints 10 \
  --threads 2 --out "$RUN"
./bin/jdiffusion export "$RUN" --bf16 -o "$RUN/weights.safetensors"
got=$(sha256sum "$RUN/weights.safetensors" | cut -d' ' -f1)
want=$(sha256sum src/main/resources/io/jdiffusion/models/fashion-mnist/weights.safetensors | cut -d' ' -f1)
echo "export:  $got"
echo "shipped: $want"
if [[ "$got" == "$want" ]]; then
  echo "identical: the shipped model is reproduced bit for bit"
else
  echo "different bytes (expected on another CPU kind or thread count; see the model card)"
  exit 1
fi
