#!/usr/bin/env bash
# Sample quality against network evaluations (NFE) for every sampler, on one model: the table of
# issue 4 (1000-step DDPM, DDIM 10/20/50/100, DPM-Solver++ 5/10/20, Heun 10 and 18 steps), plus the
# stochastic samplers at 50-100 steps (DDIM with eta 1, Euler a).
#
#   [REF=fashion-mnist] [ROWS="SAMPLER STEPS [ETA];..."] bench/fid_vs_nfe.sh [MODEL] [N] [OUT_DIR] [THREADS]
#
# MODEL: a run directory or weights file (default: the shipped fashion-mnist model); N images per
# row (default 1000), all rows with the same seeds (image i starts from seed i), against the same N
# training images, plus the train-vs-test floor at the same N. Each row is one `jdiffusion evaluate`
# run, one after the other; its metrics.json lands in OUT_DIR (default bench/results/fid-vs-nfe),
# and bench/fid_table.py turns them into OUT_DIR/table.md. Rows already present are skipped, so an
# interrupted run continues; ROWS="SAMPLER STEPS [ETA];..." runs only those rows. Not a test: about 2 CPU-hours at N = 1000, 1.5 of them DDPM's 10^6
# network evaluations (THREADS=1 runs it beside other work; docs/benchmarks.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-jdiffusion-core/src/main/resources/io/jdiffusion/models/fashion-mnist/weights.safetensors}
N=${2:-1000}
OUT=${3:-bench/results/fid-vs-nfe}
THREADS=${4:-0}
REF=${REF:-fashion-mnist} # the reference dataset (mnist for an MNIST model)
mkdir -p "$OUT"
rows=(
  "ddpm 1000"
  "ddim 10" "ddim 20" "ddim 50" "ddim 100"
  "dpm++2m 5" "dpm++2m 10" "dpm++2m 20"
  "heun 10" "heun 18"
  "ddim 50 1" "ddim 100 1" "euler-a 50"
)
if [[ -n "${ROWS:-}" ]]; then # a subset, e.g. ROWS="ddim 50 1;ddim 50;dpm++2m 20"
  IFS=';' read -r -a rows <<<"$ROWS"
fi
first=1
for row in "${rows[@]}"; do
  read -r sampler steps eta <<<"$row"
  file="$OUT/${sampler}${eta:+-eta$eta}-${steps}.json"
  if [[ -s "$file" ]]; then
    echo "== $sampler $steps: done before ($file)"
    continue
  fi
  echo "== $sampler $steps ${eta:+eta $eta}"
  extra=()
  if [[ $first == 1 ]]; then extra=(--floor); fi
  if [[ -n "$eta" ]]; then extra+=(--eta "$eta"); fi
  first=0
  ./bin/jdiffusion evaluate "$MODEL" --ref "$REF" --n "$N" --sampler "$sampler" --steps "$steps" \
    --threads "$THREADS" -q -o "$file" "${extra[@]}"
done
python3 bench/fid_table.py "$OUT" > "$OUT/table.md"
cat "$OUT/table.md"
