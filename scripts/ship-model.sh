#!/usr/bin/env bash
# Rebuilds a shipped model from scratch and checks it bit for bit against the file in the jar.
#
#   scripts/ship-model.sh MODEL [RUN_DIR]     MODEL: fashion-mnist, fashion-mnist-cond or mnist
#                                             (RUN_DIR default: runs/MODEL-ship)
#
# One command per model, the one in its model card (jdiffusion-core/src/main/resources/io/jdiffusion/models/MODEL/
# MODEL_CARD.md): the quick-start U-Net, 8000 steps of batch 64 with EMA 0.999 (about an hour on 2
# cores), on the embedded Fashion-MNIST subset (fashion-mnist, and fashion-mnist-cond with
# --class-conditional) or on MNIST (mnist, --data mnist --class-conditional; `jdiffusion data fetch
# mnist` first), then its EMA weights exported in bfloat16. Training is deterministic for a fixed
# seed, thread count and CPU kind, so the export's sha256 equals the pinned one (Pretrained) when this
# runs with 2 libtorch threads on the machine kind the card names; another CPU kind rounds
# convolutions differently and gives other (equally good) bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: scripts/ship-model.sh fashion-mnist|fashion-mnist-cond|mnist [RUN_DIR]}
RUN=${2:-runs/$MODEL-ship}
case "$MODEL" in
  fashion-mnist) data=() ;;
  fashion-mnist-cond) data=(--class-conditional) ;;
  mnist) data=(--data mnist --class-conditional) ;;
  *) echo "error: unknown shipped model '$MODEL' (fashion-mnist, fashion-mnist-cond or mnist)" >&2; exit 2 ;;
esac
./bin/jdiffusion train "${data[@]}" --steps 8000 --ema-decay 0.999 --checkpoint-every 1000 --keep-checkpoints 10 \
  --threads 2 --out "$RUN"
./bin/jdiffusion export "$RUN" --bf16 --sampler ddim --steps 50 --eta 1 -o "$RUN/weights.safetensors"  # the default sampler chosen by FID (model card)
got=$(sha256sum "$RUN/weights.safetensors" | cut -d' ' -f1)
want=$(sha256sum "jdiffusion-core/src/main/resources/io/jdiffusion/models/$MODEL/weights.safetensors" | cut -d' ' -f1)
echo "export:  $got"
echo "shipped: $want"
if [[ "$got" == "$want" ]]; then
  echo "identical: the shipped model is reproduced bit for bit"
else
  echo "different bytes (expected on another CPU kind or thread count; see the model card)"
  exit 1
fi
