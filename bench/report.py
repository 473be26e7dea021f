"""Formats bench/run.sh's JSON lines as the markdown tables of docs/benchmarks.md."""
import json
import statistics
import sys


def med(r):
    return statistics.median(r["ms"])


def spread(r):
    return f"{min(r['ms']):.0f}-{max(r['ms']):.0f}"


def impl_key(impl):
    """jdiffusion, pytorch-1.13 or pytorch-2.6 (major.minor of the version torch_bench.py prints)."""
    if impl.startswith("pytorch"):
        return "pytorch-" + ".".join(impl.split()[1].split(".")[:2])
    return impl.split()[0]


def pooled(rows):
    """Rows of the same measurement from several rounds: repeats pooled, peak RSS as a list."""
    out = {}
    for r in rows:
        k = (impl_key(r["impl"]), r["mode"], r.get("shape"), r.get("precision"), r.get("batch"))
        if k in out:
            out[k]["ms"] = out[k]["ms"] + r["ms"]
            out[k]["rss_all"].append(r["peak_rss_kb"])
            out[k]["peak_rss_kb"] = max(out[k]["rss_all"])
        else:
            out[k] = dict(r, rss_all=[r["peak_rss_kb"]])
    return out


def gb(r):
    lo, hi = min(r["rss_all"]) / 1e6, max(r["rss_all"]) / 1e6
    return f"{lo:.2f} GB" if abs(hi - lo) < 0.005 else f"{lo:.2f}-{hi:.2f} GB"


def cell(r):
    return f"{med(r):.0f} [{spread(r)}] ms, {gb(r)}" if r else "-"


def ratio(a, b):
    """a/b of medians, marked when the two ranges overlap (no difference the repeats can tell)."""
    if not (a and b):
        return "-"
    overlap = min(a["ms"]) <= max(b["ms"]) and min(b["ms"]) <= max(a["ms"])
    return f"{med(a) / med(b):.2f}" + (" (ranges overlap)" if overlap else "")


def main(paths):
    rows = [json.loads(line) for path in paths for line in open(path) if line.strip()]
    key = pooled(rows)
    rounds = max((len(r["rss_all"]) for r in key.values()), default=1)
    print(f"jdiffusion (libtorch via JavaCPP) vs PyTorch 1.13 (Debian 12) and PyTorch 2.6 (Debian 13), each with"
          f" OpenBLAS, 2 threads, reference U-Net. {rounds} round(s), one process per measurement; time: median"
          " [min-max] over every timed repeat of every round; peak RSS per process (range over rounds).\n")
    print("| mode | jdiffusion | PyTorch 1.13 | PyTorch 2.6 | time, ours / 2.6 | peak RSS, ours / 2.6 |")
    print("|---|---|---|---|---|---|")
    labels = [("train", "train {shape} {prec}, batch 64 (ms per step)"),
              ("sample", "sample {shape} {prec}, batch 64 (ms per forward)")]
    for shape in ("1x28x28", "3x32x32"):
        for prec in ("fp32", "bf16"):
            for mode, label in labels:
                j = key.get(("jdiffusion", mode, shape, prec, 64))
                p13 = key.get(("pytorch-1.13", mode, shape, prec, 64))
                p26 = key.get(("pytorch-2.6", mode, shape, prec, 64))
                if not j:
                    continue
                print(f"| {label.format(shape=shape, prec=prec)} | {cell(j)} | {cell(p13)} | {cell(p26)} "
                      f"| {ratio(j, p26)} | {(j['peak_rss_kb'] / p26['peak_rss_kb']) if p26 else float('nan'):.2f} |")
    for mode, batch, label in (("ddpm", 1, "1 image, 1000 DDPM steps, 1x28x28 fp32 (ms per image)"),
                               ("ddim", 16, "16 images, 50 DDIM steps, 1x28x28 fp32 (ms per image)")):
        j = key.get(("jdiffusion", mode, "1x28x28", "fp32", batch))
        p13 = key.get(("pytorch-1.13", mode, "1x28x28", "fp32", batch))
        p26 = key.get(("pytorch-2.6", mode, "1x28x28", "fp32", batch))
        if j:
            print(f"| {label} | {cell(j)} | {cell(p13)} | {cell(p26)} | {ratio(j, p26)} "
                  f"| {(j['peak_rss_kb'] / p26['peak_rss_kb']) if p26 else float('nan'):.2f} |")
    routed = [(shape, prec, key.get(("jdiffusion", "train", shape, prec, 64))) for shape in ("1x28x28", "3x32x32")
              for prec in ("fp32", "bf16")]
    routed = [(shape, prec, j) for shape, prec, j in routed if j and j.get("routes")]
    if routed:
        print("\nConvolution routes this CPU's kernel checks chose (forward + backward of each routed convolution at"
              " batch 64, median ms; share of the median training step):\n")
        print("| shape | precision | convolution | route | route ms | libtorch fast kernel ms (wrong here) "
              "| route's share of the step |")
        print("|---|---|---|---|---|---|---|")
        for shape, prec, j in routed:
            for r in j["routes"]:
                print(f"| {shape} | {prec} | {r['conv']} | {r['route']} | {r['route_ms']:.1f} | {r['fast_ms']:.1f} "
                      f"| {r['route_ms'] / med(j):.1%} |")
    print("\nHardware ceiling: achieved GFLOP/s of a training step (3 x forward FLOPs: forward, and backward"
          " for inputs and weights) against a plain 2048x2048 libtorch matmul on the same 2 cores:\n")
    print("| shape | GFLOP per image (fwd) | precision | train step GFLOP/s | matmul GFLOP/s | fraction |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        if r["mode"] != "ceiling":
            continue
        fl = r["forward_flops_per_image"]
        for prec in ("fp32", "bf16"):
            j = key.get(("jdiffusion", "train", r["shape"], prec, 64))
            if not j:
                continue
            achieved = 3 * fl * 64 / (med(j) / 1000) / 1e9
            mm = statistics.median(r["matmul_gflops_" + prec])
            print(f"| {r['shape']} | {fl / 1e9:.3f} | {prec} | {achieved:.0f} | {mm:.0f} | {achieved / mm:.0%} |")
    print("\nMemory over long runs (quick-start U-Net, batch 16, ours), RSS in MB at each tenth of the run:\n")
    for mode in ("flat-train", "flat-sample"):
        r = next((r for r in rows if r["mode"] == mode), None)
        if r:
            mb = [round(k / 1024) for k in r["rss_kb"]]
            growth = mb[-1] - mb[1] if len(mb) > 1 else 0
            print(f"- {mode}: {mb} (growth after the first tenth: {growth} MB; median step {med(r):.1f} ms); "
                  f"live JavaCPP objects: {r.get('live_pointers', [])}")


if __name__ == "__main__":
    main(sys.argv[1:])
