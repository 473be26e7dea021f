"""Formats bench/run.sh's JSON lines as the markdown tables of docs/benchmarks.md."""
import json
import statistics
import sys


def med(r):
    return statistics.median(r["ms"])


def spread(r):
    return f"{min(r['ms']):.0f}-{max(r['ms']):.0f}"


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    key = {(r["impl"].split()[0], r["mode"], r["shape"], r["precision"], r["batch"]): r for r in rows}
    torch_version = next((r["impl"] for r in rows if r["impl"].startswith("pytorch")), "pytorch")
    print(f"jdiffusion (libtorch 2.7.1 via JavaCPP) vs {torch_version}, reference U-Net, batch 64, 2 threads.")
    print("Times: median [min-max] over the repeats. Ratios < 1 for time and memory, > 1 for speed favour jdiffusion.\n")
    print("| shape | precision | train ms/step (ours) | PyTorch | ratio vs PT fp32 | ratio vs PT bf16 | train img/s ours / PT "
          "| peak RSS ours / PT (GB) | RSS ratio vs PT fp32 | sampling img/s ours / PT | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for shape in ("1x28x28", "3x32x32"):
        for prec in ("fp32", "bf16"):
            j = key.get(("jdiffusion", "train", shape, prec, 64))
            p = key.get(("pytorch", "train", shape, prec, 64))
            pf = key.get(("pytorch", "train", shape, "fp32", 64))
            pb = key.get(("pytorch", "train", shape, "bf16", 64))
            js = key.get(("jdiffusion", "sample", shape, prec, 64))
            ps = key.get(("pytorch", "sample", shape, prec, 64))
            if not (j and p and pf and pb and js and ps):
                continue
            print(f"| {shape} | {prec} | {med(j):.0f} [{spread(j)}] | {med(p):.0f} [{spread(p)}] "
                  f"| {med(j) / med(pf):.2f} | {med(j) / med(pb):.2f} "
                  f"| {64000 / med(j):.1f} / {64000 / med(p):.1f} "
                  f"| {j['peak_rss_kb'] / 1e6:.2f} / {p['peak_rss_kb'] / 1e6:.2f} "
                  f"| {j['peak_rss_kb'] / pf['peak_rss_kb']:.2f} "
                  f"| {64000 / med(js):.1f} / {64000 / med(ps):.1f} | {med(ps) / med(js):.2f}x |")
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
    print("\nSmall-batch latency (reference U-Net, 1x28x28, fp32), ms per image:\n")
    print("| run | ours | PyTorch | speed-up |")
    print("|---|---|---|---|")
    for mode, batch, label in (("ddpm", 1, "1 image, 1000 DDPM steps"), ("ddim", 16, "16 images, 50 DDIM steps")):
        j = key.get(("jdiffusion", mode, "1x28x28", "fp32", batch))
        p = key.get(("pytorch", mode, "1x28x28", "fp32", batch))
        if j and p:
            print(f"| {label} | {med(j):.0f} [{spread(j)}] | {med(p):.0f} [{spread(p)}] | {med(p) / med(j):.2f}x |")
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
    main(sys.argv[1])
