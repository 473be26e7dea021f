#!/usr/bin/env bash
# The large-model rows: jdiffusion against diffusers on PyTorch 2.6 (../shared/tools/pytorch26) at full
# size and random weights, one process per measurement, one after the other (never at once).
#   bench/sd.sh [REPEATS]     (default 3 timed calls after an untimed first one)
# Needs diffusers' and huggingface_hub's sources (DIFFUSERS, HFHUB; default /tmp/diffusers, /tmp/hfhub).
# Builds the pipeline folders once under $SD_BENCH_DIR (default /tmp/sdbench, about 11 GB).
# Results: bench/results/sd.jsonl (raw) and bench/results/sd.md (table).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
repeats="${1:-3}"
dir="${SD_BENCH_DIR:-/tmp/sdbench}"
tool="${PYTORCH26:-$root/../shared/tools/pytorch26}"
diffusers="${DIFFUSERS:-/tmp/diffusers}"; hfhub="${HFHUB:-/tmp/hfhub}"
export PYTORCH26_EXTRA="$diffusers:$hfhub:$dir" PYTHONPATH="$diffusers/src:$hfhub/src"
cp="${JDIFFUSION_BENCH_CP:-$(bench/classpath.sh)}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
mkdir -p "$dir" bench/results
for arch in sd15 turbo ddpm256; do
  [ -e "$dir/$arch" ] || "$tool" run bench/sd_bench.py build "$arch" "$dir/$arch"
done
out=bench/results/sd.jsonl
: > "$out"
precisions="fp32"
# bf16 only where the CPU has bf16 instructions: without avx512_bf16 (or AMX) a bf16 matmul ran at
# 0.25-3.5 GFLOP/s against 120 in fp32 (AMD Zen 3), for every engine
grep -qw avx512_bf16 /proc/cpuinfo && precisions="fp32 bf16"
both() { # MODE FOLDER PRECISION
  echo "jdiffusion $*" >&2
  java -Xmx1g -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "$cp" io.jdiffusion.bench.SdBench "$1" "$2" "$3" \
    "$repeats" >> "$out"
  echo "diffusers  $*" >&2
  "$tool" run bench/sd_bench.py "$1" "$2" "$3" "$repeats" 2>/dev/null >> "$out"
}
for prec in $precisions; do
  both step "$dir/sd15" "$prec"
  both image "$dir/turbo" "$prec"
  both unet2d-step "$dir/ddpm256" "$prec"
done
/usr/bin/python3 bench/report_sd.py "$out" > bench/results/sd.md
cat bench/results/sd.md
