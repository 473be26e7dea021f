"""Markdown table of sample quality against network evaluations from `jdiffusion evaluate`'s
metrics.json files (one per sampler setting), as written by bench/fid_vs_nfe.sh.

Usage: python3 bench/fid_table.py DIR   (reads DIR/*.json, prints the table)
"""
import glob
import json
import os
import sys


def label(sampling):
    """The sampler's name, with eta where it is not the sampler's default (0; 1 for euler-a)."""
    name, eta = sampling["sampler"], sampling["eta"]
    default = 1.0 if name.startswith("euler-a") else 0.0
    return name if eta == default else "%s, eta %g" % (name, eta)


def main(folder):
    rows, floor = [], None
    for path in glob.glob(os.path.join(folder, "*.json")):
        with open(path) as f:
            m = json.load(f)
        sampling = m["source"]["sampling"]
        rows.append((m["source"]["evaluations_per_image"], sampling, m))
        floor = floor or m.get("floor")
    rows.sort(key=lambda r: (r[1]["sampler"] != "ddpm", r[1]["sampler"], r[1]["eta"], r[0]))
    if not rows:
        sys.exit("no metrics.json files in " + folder)
    x = rows[0][2]["extractors"][0]["name"]
    n = rows[0][2]["n"]
    ddpm = next((r[2]["metrics"]["FID(%s)" % x] for r in rows if r[1]["sampler"] == "ddpm"), None)
    def kid(q):  # the spread is 0 when one KID subset is the whole set (n <= subset size)
        std = q["KID_std(%s)" % x]
        return "%.2f" % q["KID(%s)" % x] + (" ± %.2f" % std if std > 1e-6 else "")

    print("| sampler | steps | NFE | FID(%s) | vs DDPM | KID | IS | precision | recall | sampling s | n |" % x)
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    if floor:
        print("| floor (train vs test) | - | - | %.2f | - | %s | %.2f | %.3f | %.3f | - | %d |" % (
            floor["FID(%s)" % x], kid(floor), floor["IS(%s)" % x],
            floor["precision(%s)" % x], floor["recall(%s)" % x], n))
    for nfe, s, m in rows:
        q = m["metrics"]
        fid = q["FID(%s)" % x]
        rel = "%+.0f%%" % (100 * (fid / ddpm - 1)) if ddpm and s["sampler"] != "ddpm" else "-"
        print("| %s | %d | %d | %.2f | %s | %s | %.2f | %.3f | %.3f | %.0f | %d |" % (
            label(s), s["steps"], nfe, fid, rel, kid(q),
            q["IS(%s)" % x], q["precision(%s)" % x], q["recall(%s)" % x], m["seconds"]["generate"], m["n"]))


if __name__ == "__main__":
    main(sys.argv[1])
