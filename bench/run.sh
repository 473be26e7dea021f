#!/usr/bin/env bash
# One-command benchmark: jdiffusion against the PyTorch reference of the identical U-Net, one
# process per measurement, one after the other (never at once), then a table.
#   bench/run.sh [quick]      (quick: fewer repeats, for a smoke test)
# Results: bench/results/latest.jsonl (raw) and bench/results/latest.md (table).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "installing Debian's python3-torch (the PyTorch reference)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
# the benchmark programs (io.jdiffusion.bench) are test sources, kept out of the library jars
cp="$(bench/classpath.sh)"
# The same environment for both sides: 1 OpenBLAS thread, 2 intra-op threads, glibc keeping freed
# memory (bin/jdiffusion's settings).
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
mkdir -p bench/results
out=bench/results/latest.jsonl
: > "$out"
quick="${1:-}"
tw=2; ts=5; sw=2; ss=8; lat=3; flat=1000
if [ "$quick" = quick ]; then tw=1; ts=2; sw=1; ss=3; lat=1; flat=100; fi

both() { # MODE MODEL C S PRECISION BATCH STEPS WARMUP
  echo "jdiffusion $*" >&2
  java -Xmx1g -cp "$cp" io.jdiffusion.bench.Bench "$@" >> "$out"
  echo "pytorch    $*" >&2
  /usr/bin/python3 bench/torch_bench.py "$@" >> "$out"
}

for shape in "1 28" "3 32"; do
  for prec in fp32 bf16; do
    both train reference $shape $prec 64 $ts $tw
    both sample reference $shape $prec 64 $ss $sw
  done
done
# small-batch latency, where per-op overhead dominates (reference U-Net, 1x28x28)
both ddpm reference 1 28 fp32 1 1000 1
both ddim reference 1 28 fp32 16 50 $lat
# memory stays flat: 1000 training steps and 1000 forwards of the quick-start model (ours only).
# A small heap: with -Xmx1g, G1 lets the heap fill with dead tensor wrappers before collecting,
# which shows as RSS growth (331 -> 392 MB over 1000 forwards) while native memory is flat.
echo "jdiffusion flat-train / flat-sample" >&2
java -Xmx256m -XX:+UseSerialGC -cp "$cp" io.jdiffusion.bench.Bench flat-train tiny 1 28 fp32 16 $flat 0 >> "$out"
java -Xmx256m -XX:+UseSerialGC -cp "$cp" io.jdiffusion.bench.Bench flat-sample tiny 1 28 fp32 16 $flat 0 >> "$out"
# the hardware ceiling: FLOPs per image and a plain 2048x2048 matmul's GFLOP/s
for shape in "1 28" "3 32"; do
  java -Xmx1g -cp "$cp" io.jdiffusion.bench.Bench ceiling reference $shape fp32 2048 5 2 >> "$out"
done
/usr/bin/python3 bench/report.py "$out" > bench/results/latest.md
cat bench/results/latest.md
