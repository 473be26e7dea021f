#!/usr/bin/env bash
# One-command benchmark: jdiffusion against the PyTorch reference of the identical U-Net on Debian 12's
# PyTorch 1.13 and on a current PyTorch (2.6, ../shared/tools/pytorch26, when set up), one process per
# measurement, one after the other (never at once), then a table.
#   bench/run.sh [quick] [ROUNDS]   (quick: fewer repeats, for a smoke test; ROUNDS: whole passes, default 2,
#                                    whose repeats the table pools, so its ranges show the spread between runs)
# Results: bench/results/latest.jsonl (raw) and bench/results/latest.md (table).
# JDIFFUSION_BENCH_CP, when set, is used as the class path instead of building (bench/classpath.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread ]; then
  # without OpenBLAS, Debian's PyTorch uses the reference BLAS: a 2048x2048 fp32 matmul at 2 GFLOP/s
  # instead of 115 (AMD Zen 3), which no user would run
  echo "installing Debian's python3-torch and OpenBLAS (the PyTorch reference)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi
pytorch26="${PYTORCH26:-$root/../shared/tools/pytorch26}"
[ -x "$pytorch26" ] && "$pytorch26" run -c "import torch" 2>/dev/null || pytorch26=""
[ -n "$pytorch26" ] || echo "no PyTorch 2.6 (../shared/tools/pytorch26 setup): its column stays empty" >&2
# the benchmark programs (io.jdiffusion.bench) are test sources, kept out of the library jars
cp="${JDIFFUSION_BENCH_CP:-$(bench/classpath.sh)}"
# The same environment for both sides: 1 OpenBLAS thread, 2 intra-op threads, glibc keeping freed
# memory (bin/jdiffusion's settings).
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
mkdir -p bench/results
out=bench/results/latest.jsonl
: > "$out"
quick=""; rounds=2
for a in "$@"; do
  if [ "$a" = quick ]; then quick=quick; else rounds="$a"; fi
done
tw=2; ts=5; sw=2; ss=8; lat=3; flat=1000
if [ "$quick" = quick ]; then tw=1; ts=2; sw=1; ss=3; lat=1; flat=100; fi
# bf16 rows only where the CPU has bf16 instructions: without avx512_bf16 (or AMX) a 2048x2048 bf16
# matmul ran at 0.25-3.5 GFLOP/s against 115-124 in fp32 (AMD Zen 3), in every engine
precisions="fp32"
grep -qw avx512_bf16 /proc/cpuinfo && precisions="fp32 bf16"
grep -qw avx512_bf16 /proc/cpuinfo || echo "no avx512_bf16 on this CPU: fp32 rows only" >&2

all3() { # MODE MODEL C S PRECISION BATCH STEPS WARMUP
  echo "jdiffusion  $*" >&2
  java -Xmx1g -cp "$cp" io.jdiffusion.bench.Bench "$@" >> "$out"
  echo "pytorch 1.13 $*" >&2
  /usr/bin/python3 bench/torch_bench.py "$@" >> "$out"
  if [ -n "$pytorch26" ]; then
    echo "pytorch 2.6 $*" >&2
    "$pytorch26" run bench/torch_bench.py "$@" >> "$out"
  fi
}

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  for shape in "1 28" "3 32"; do
    for prec in $precisions; do
      all3 train reference $shape $prec 64 $ts $tw
      all3 sample reference $shape $prec 64 $ss $sw
    done
  done
  # small-batch latency, where per-op overhead dominates (reference U-Net, 1x28x28)
  all3 ddpm reference 1 28 fp32 1 1000 1
  all3 ddim reference 1 28 fp32 16 50 $lat
done
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
