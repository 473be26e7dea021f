#!/usr/bin/env bash
# The engine upgrade measured: the same benchmark modes on two builds of jdiffusion (OLD: a checkout
# built against org.bytedeco:pytorch 2.7.1-1.5.12; this tree: 2.10.0-1.5.13) and PyTorch, one
# process at a time, in one run.   bench/upgrade.sh OLD_CHECKOUT   -> bench/results/upgrade.jsonl
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
old="$(cd "$1" && pwd)"
cd "$root"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
new_cp="$(bench/classpath.sh)"
# OLD: a checkout from before the modules (one target/), or one with them (its own bench/classpath.sh)
if [[ -x "$old/bench/classpath.sh" ]]; then
  old_cp="$("$old/bench/classpath.sh")"
else
  old_cp="$old/target/classes:$old/target/test-classes:$(cat "$old/target/classpath.txt")"
fi
out=bench/results/upgrade.jsonl
: > "$out"
run() { # MODE MODEL C S PRECISION BATCH STEPS WARMUP
  for side in old new; do
    cp_var="${side}_cp"
    echo "jdiffusion-$side $*" >&2
    java -Xmx1g -cp "${!cp_var}" io.jdiffusion.bench.Bench "$@" | sed "s/\"impl\": *\"jdiffusion\"/\"impl\":\"jdiffusion-$side\"/" >> "$out"
  done
  echo "pytorch $*" >&2
  /usr/bin/python3 bench/torch_bench.py "$@" >> "$out"
}
run train tiny 1 28 fp32 64 5 2
run train reference 1 28 fp32 64 5 2
run sample reference 1 28 fp32 64 8 2
run train reference 3 32 fp32 64 5 2
run sample reference 3 32 bf16 64 8 2
cat "$out"
