#!/usr/bin/env python3
"""Checks the CLIP tokenizer fixtures against transformers itself, where a transformers wheel can be unpacked:
every prompt of cases.json.gz through transformers' slow CLIPTokenizer (ftfy absent, as in the fixtures) as
diffusers calls it, and the decode() runs; then, for information, the same through CLIPTokenizerFast.

clip_tokenizer_ref.py restates the slow tokenizer from transformers' sources; this script is the evidence that
the restatement equals the real class. transformers 4.57.6 is the last release with the slow CLIPTokenizer
(transformers 5 backs CLIPTokenizer with the `tokenizers` library). Run it from the repository root:

    mkdir -p /tmp/tf457 /tmp/tokz
    (cd /tmp/tf457 && unzip -qo /opt/pypi-more/files/transformers-4.57.6-py3-none-any.whl)
    (cd /tmp/tokz && unzip -qo /opt/pypi/files/tokenizers-0.22.2-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl)
    PYTORCH26_EXTRA=/tmp/tf457:/tmp/tokz:/tmp/hfhub PYTHONPATH=/tmp/hfhub/src \\
        ../shared/tools/pytorch26 run scripts/t2i/tokenizer_transformers_check.py \\
        src/test/resources/io/jdiffusion/t2i/tok /tmp/tf457 /tmp/tokz

(transformers 4.57 refuses the huggingface_hub 1.x checkout at import in its version check, which this script
skips; the tokenizer code does not touch the hub for a local folder.)

Measured 2026-12-07 on the committed fixtures: CLIPTokenizer equal on all 1,400 sd1 and 328 sd2 prompts and the
400 decode runs. CLIPTokenizerFast (what transformers 5 calls CLIPTokenizer) differs on 872 of 1,400 sd1 and 193
of 328 sd2 prompts; on printable ASCII only in the decoded text around non-special added tokens (3 sd2 prompts).
It keeps control and format characters ("a\x07b", "a\u200bb" get a token for them), takes a run of CJK ideographs
as one word ("東京" merges across the two), and lower-cases a final capital sigma to σ, not ς: a pipeline on
transformers 5 tokenizes such prompts differently from one on transformers 4.
"""
import gzip
import json
import os
import sys
import types


def main(fixtures, *paths):
    sys.path[:0] = list(paths)
    sys.modules["transformers.dependency_versions_check"] = types.ModuleType("transformers.dependency_versions_check")
    import logging

    import transformers
    from transformers import CLIPTokenizer, CLIPTokenizerFast

    transformers.logging.set_verbosity_error()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:
        import ftfy  # noqa: F401
        sys.exit("ftfy is installed: the fixtures describe CLIPTokenizer without it")
    except ImportError:
        pass
    with gzip.open(os.path.join(fixtures, "cases.json.gz")) as f:
        data = json.load(f)
    print("transformers", transformers.__version__)
    failed = 0
    for cls in (CLIPTokenizer, CLIPTokenizerFast):
        for name, cases in data["folders"].items():
            folder = os.path.join(fixtures, name)
            if name == "json":
                continue  # a slow tokenizer needs vocab.json + merges.txt; the fast one a full tokenizer.json
            tok = cls.from_pretrained(folder)
            n = tok.model_max_length
            bad = []
            for c in cases:
                p = c["prompt"]
                ids = tok(p, padding="max_length", max_length=n, truncation=True).input_ids
                untruncated = tok(p, padding="longest").input_ids
                cut = None
                if len(untruncated) >= len(ids) and untruncated != ids:
                    cut = tok.batch_decode([untruncated[n - 1 : -1]])[0]
                got = (ids, untruncated, cut, tok.decode(c["untruncated"]))
                want = (c["ids"], c["untruncated"], c["cut"], c["decode"])
                if got != want:
                    bad.append(p)
            runs_bad = 0
            if name == "sd1":
                runs_bad = sum(tok.decode(r["ids"]) != r["text"] for r in data["decodes"])
            ascii_bad = sum(all(" " <= ch <= "~" for ch in p) for p in bad)
            ascii_all = sum(all(" " <= ch <= "~" for ch in c["prompt"]) for c in cases)
            print(f"{cls.__name__} {name}: {len(bad)} of {len(cases)} prompts differ ({ascii_bad} of the {ascii_all}"
                  f" printable-ASCII ones), {runs_bad} decode runs differ" + (f"; first: {bad[0][:80]!r}" if bad else ""))
            if cls is CLIPTokenizer:
                failed += len(bad) + runs_bad
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(*sys.argv[1:])
