"""Formats bench/sd.sh's JSON lines as the large-model table of docs/benchmarks.md."""
import json
import statistics
import sys

LABELS = {
    "sd-unet-step-512-cfg": "SD 1.5 UNet, one guided step at 512x512 (batch 2)",
    "sd-image-512-1step": "SD-turbo architecture, 512x512 image in 1 step (text, UNet, VAE decode)",
    "unet2d-step-256": "UNet2DModel ddpm-celebahq-256 (113.7 M), one forward at 256x256",
}


def cell(r):
    ms = r["ms"]
    return (f"{statistics.median(ms) / 1000:.2f} s [{min(ms) / 1000:.2f}-{max(ms) / 1000:.2f}]; first "
            f"{r['first_ms'] / 1000:.1f} s; {r['peak_rss_kb'] / 1e6:.2f} GB")


def main(paths):
    rows = [json.loads(line) for p in paths for line in open(p) if line.strip().startswith("{")]
    ours = {(r["mode"], r["precision"]): r for r in rows if r["impl"] == "jdiffusion"}
    peer = {(r["mode"], r["precision"]): r for r in rows if r["impl"] != "jdiffusion"}
    peer_name = next((r["impl"] for r in rows if r["impl"] != "jdiffusion"), "diffusers")
    print(f"jdiffusion vs {peer_name}, random weights at the real architectures, "
          f"{rows[0]['threads'] if rows else '?'} threads. Time: median [min-max] of the timed calls after an untimed"
          " first call (first: that call, which also runs jdiffusion's kernel self-checks when the cache is empty);"
          " peak RSS of the process.\n")
    print("| run | precision | jdiffusion | diffusers | time ratio (ours / theirs) | peak RSS ratio |")
    print("|---|---|---|---|---|---|")
    for key, j in ours.items():
        p = peer.get(key)
        if not p:
            continue
        ratio = statistics.median(j["ms"]) / statistics.median(p["ms"])
        # a ratio closer to 1 than the spread of either side's repeats is not a difference
        spread = max((max(r["ms"]) - min(r["ms"])) / statistics.median(r["ms"]) for r in (j, p))
        verdict = f"{ratio:.2f}" + (" (within the spread)" if abs(ratio - 1) <= spread else "")
        print(f"| {LABELS.get(key[0], key[0])} | {key[1]} | {cell(j)} | {cell(p)} | {verdict} "
              f"| {j['peak_rss_kb'] / p['peak_rss_kb']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
