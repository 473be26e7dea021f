#!/usr/bin/env python3
"""Writes the CLIP tokenizer fixtures for io.jdiffusion.text.ClipTokenizerTest.

1. Trains a byte-level BPE vocabulary in CLIP's format on the repository's README.md and docs/*.md plus
   generated prompt text (with accented, CJK, emoji, Greek, Cyrillic and Arabic words, so that merges also
   join multi-byte characters): CLIP's pre-tokenization (clip_tokenizer_ref), word-final symbols carrying
   "</w>", the most frequent pair merged each round (ties: the pair seen first), MERGES rounds. The vocabulary
   is laid out as CLIP's (simple_tokenizer.py): the 256 byte symbols in bytes_to_unicode order, the same 256
   with "</w>", one entry per merge, then <|startoftext|> and <|endoftext|>.
2. Saves three tokenizer folders as diffusers pipelines carry them:
     sd1/  vocab.json, merges.txt ("#version: 0.2" header), tokenizer_config.json, special_tokens_map.json
           (pad <|endoftext|>, as SD 1.x);
     sd2/  the same vocabulary with pad "!" (as SD 2.x) and added tokens in tokenizer_config.json's
           added_tokens_decoder: "<cat-toy>" (a textual-inversion token), "<sks>" (lstrip, rstrip) and
           "<sw>" (single_word);
     json/ only tokenizer.json (model.vocab, model.merges, added_tokens) and tokenizer_config.json.
3. Runs clip_tokenizer_ref.ClipTokenizerRef (transformers' slow CLIPTokenizer restated) on 1,400 generated
   prompts (sd1; every fifth of them, after the first 60 hand-written ones, for sd2 and json) and writes
   cases.json.gz: per folder, per prompt, the pipeline's 77 ids, the untruncated ids, the text of
   the truncated part (None when nothing is cut), diffusers' warning line, and decode(untruncated ids); and
   decode() of 400 random runs of those ids (runs that cut a character's bytes decode to U+FFFD).

Regenerate (deterministic; needs the `regex` module, present in the pytorch26 chroot):

    ../shared/tools/pytorch26 run scripts/t2i/tokenizer_fixtures.py src/test/resources/io/jdiffusion/t2i/tok

then check them against transformers' own class with tokenizer_transformers_check.py (its docstring says how).
"""
import collections
import glob
import gzip
import json
import os
import random
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_tokenizer_ref import PATTERN, ClipTokenizerRef, basic_tokenize, bytes_to_unicode  # noqa: E402

MERGES = 3000
SEED = 1234
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ART_WORDS = (
    "a photo of an astronaut riding horse on mars painting portrait landscape by greg rutkowski trending artstation "
    "highly detailed digital art concept cinematic lighting octane render unreal engine 8k hyperrealistic sharp "
    "focus illustration watercolor oil canvas beautiful woman man cat dog castle mountain forest river sunset "
    "sunrise night sky stars galaxy nebula cyberpunk steampunk fantasy dragon knight wizard robot city street "
    "rain fog neon vibrant colors pastel soft warm cold dramatic volumetric studio ghibli anime manga style "
    "masterpiece best quality ultra realistic intricate elegant smooth symmetrical centered golden hour bokeh "
    "macro wide angle lens photography kodak portra film grain vintage retro futuristic underwater coral reef "
    "turtle jellyfish butterfly flower garden rose tulip cherry blossom japanese temple pagoda snow winter "
    "summer autumn spring leaves tree ancient ruins statue marble gold silver copper bronze crystal glass"
).split()
UNICODE_WORDS = (
    "café naïve résumé façade jalapeño crème brûlée über straße größe Ærøskøbing señor niño São Paulo Zürich "
    "Ελλάδα ΟΔΥΣΣΕΥΣ σοφία Москва красивый пейзаж кот العربية مرحبا שלום עולם हिन्दी नमस्ते "
    "東京 夜景 桜 山 猫 犬 北京 天安门 龍 花 日本語 かわいい ネコ 한국어 서울 고양이 "
    "🚀 🌅 🐱 🐉 ✨ 🎨 🫠 🫶 👩‍🚀 👍🏽 🇯🇵 ❤️ ☕ ½ ² ³ ① ⅷ ٣ ４２ ＡＢＣ ﬁ ﬀ ǅ ΐ İstanbul ﬃ"
).split()


def corpus_lines():
    paths = [os.path.join(REPO, "README.md")] + sorted(glob.glob(os.path.join(REPO, "docs", "*.md")))
    for p in paths:
        with open(p, encoding="utf-8") as f:
            yield from f.read().splitlines()
    rng = random.Random(SEED)
    for _ in range(4000):
        words = rng.choices(ART_WORDS, k=rng.randint(3, 14)) + rng.choices(UNICODE_WORDS, k=rng.randint(0, 3))
        rng.shuffle(words)
        yield " ".join(words)


def train_bpe():
    enc = bytes_to_unicode()
    counts = collections.Counter()
    for line in corpus_lines():
        text = " ".join(basic_tokenize(line))
        for piece in PATTERN.findall(text):
            counts["".join(enc[b] for b in piece.encode("utf-8"))] += 1
    words = [tuple(w[:-1]) + (w[-1] + "</w>",) for w in counts]
    freq = [counts[w] for w in counts]
    pair_count = collections.Counter()
    where = collections.defaultdict(set)
    first_seen = {}
    for wi, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += freq[wi]
            where[(a, b)].add(wi)
            first_seen.setdefault((a, b), len(first_seen))
    merges = []
    while len(merges) < MERGES and pair_count:
        best = max(pair_count, key=lambda p: (pair_count[p], -first_seen[p]))
        if pair_count[best] < 2:
            break
        merges.append(best)
        a, b = best
        for wi in sorted(where.pop(best, ())):
            w = words[wi]
            for p in zip(w, w[1:]):
                pair_count[p] -= freq[wi]
                if pair_count[p] <= 0:
                    del pair_count[p]
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[wi] = w = tuple(out)
            for p in zip(w, w[1:]):
                pair_count[p] += freq[wi]
                where[p].add(wi)
                first_seen.setdefault(p, len(first_seen))
        pair_count.pop(best, None)
    symbols = list(enc.values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {t: i for i, t in enumerate(vocab)}, merges


SPECIAL = {"__type": "AddedToken", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def write_folders(out, vocab, merges):
    n = len(vocab)
    sd1 = os.path.join(out, "sd1")
    os.makedirs(sd1, exist_ok=True)
    write_json(os.path.join(sd1, "vocab.json"), vocab)
    with open(os.path.join(sd1, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    config = {
        "add_prefix_space": False,
        "bos_token": dict(SPECIAL, content="<|startoftext|>"),
        "do_lower_case": True,
        "eos_token": dict(SPECIAL, content="<|endoftext|>"),
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": dict(SPECIAL, content="<|endoftext|>"),
    }
    write_json(os.path.join(sd1, "tokenizer_config.json"), config)
    write_json(os.path.join(sd1, "special_tokens_map.json"), {
        "bos_token": dict(SPECIAL, content="<|startoftext|>"), "eos_token": dict(SPECIAL, content="<|endoftext|>"),
        "pad_token": "<|endoftext|>", "unk_token": dict(SPECIAL, content="<|endoftext|>")})

    sd2 = os.path.join(out, "sd2")
    os.makedirs(sd2, exist_ok=True)
    write_json(os.path.join(sd2, "vocab.json"), vocab)
    with open(os.path.join(sd2, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    flags = {"lstrip": False, "normalized": True, "rstrip": False, "single_word": False, "special": True}
    config2 = {
        "added_tokens_decoder": {
            "0": dict(flags, content="!"),
            str(n - 2): dict(flags, content="<|startoftext|>"),
            str(n - 1): dict(flags, content="<|endoftext|>"),
            str(n): dict(flags, content="<cat-toy>", special=False),
            str(n + 1): dict(flags, content="<sks>", lstrip=True, rstrip=True, special=False),
            str(n + 2): dict(flags, content="<sw>", single_word=True, special=False),
        },
        "bos_token": "<|startoftext|>",
        "clean_up_tokenization_spaces": True,
        "do_lower_case": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": "!",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": "<|endoftext|>",
    }
    write_json(os.path.join(sd2, "tokenizer_config.json"), config2)
    write_json(os.path.join(sd2, "special_tokens_map.json"), {
        "bos_token": dict(SPECIAL, content="<|startoftext|>"), "eos_token": dict(SPECIAL, content="<|endoftext|>"),
        "pad_token": "!", "unk_token": dict(SPECIAL, content="<|endoftext|>")})

    js = os.path.join(out, "json")
    os.makedirs(js, exist_ok=True)
    added = [
        {"id": n - 2, "content": "<|startoftext|>", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": True, "special": True},
        {"id": n - 1, "content": "<|endoftext|>", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True},
    ]
    write_json(os.path.join(js, "tokenizer.json"), {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<|endoftext|>", "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]}})
    write_json(os.path.join(js, "tokenizer_config.json"), {
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "model_max_length": 77,
        "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer", "unk_token": "<|endoftext|>"})
    return {"sd1": sd1, "sd2": sd2, "json": js}


# ---- prompts ----
PUNCT = list(".,;:!?-_'\"()[]{}<>/\\|@#$%^&*+=~`") + ["...", "!!", "?!", "--", "''", "\"\"", "—", "–", "…", "«", "»",
                                                         "¿", "¡", "“", "”", "‘", "’", "・", "。", "、", "！"]
APOS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "'x", "'", "’s"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u200b", "\u200d",
           "\ufeff", "\u00ad", "\ufffd", "\u2028", "\u2029", "\ue000", "\U000e0001", "\u061c", "\u202e"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", " \t ", "\u00a0", "\u3000", "\u2003", "\u1680", "\u202f", "   \n\n  "]
UNICODE_EXTRA = [
    "e\u0301", "a\u0308", "n\u0303o", "\u0041\u030a", "\u1e9b\u0323", "o\u0328\u0304", "\u0345", "\u0301",
    "ΣΑΣ", "ΌΣΟΣ", "Σ", "aΣb", "ΑΣ.", "ς", "\u0130stanbul", "I\u0307", "ǈ", "ẞ", "ß", "ﬅ", "Ⅻ", "ⓐⒷ",
    "ſt", "'ſ", "'K", "\u212a", "\U0001d400\U0001d41a", "𝔘𝔫𝔦", "\U00020000\U0002a6d6", "\u3400", "\uf900",
    "\U0002f800", "\U0002ebe0", "\U00031350", "﷽", "ﷺ", "ٱلْعَرَبِيَّة", "\u05e9\u05c1\u05b8", "👨‍👩‍👧‍👦",
    "🏳️‍🌈", "\U0001fae8", "\U0001fa77", "\U0001faaf", "\U00011f00", "\U0001e030", "\U0001e4d0", "\u0d81",
    "\u1b7f", "\u0c5d", "\U00016fe4", "\u2e5d", "\U0001d2c0", "\U00010570", "\U000105a1", "ᏸ", "Ᏸ",
    "\u1c89", "\ua7c0", "\ua7d0", "\U0001df00", "ℌ", "℡", "㎏", "Ⓜ", "¼", "٣", "𝟘", "߀", "०", "፩",
]
SPECIAL_STRINGS = ["<|startoftext|>", "<|endoftext|>", "<|ENDOFTEXT|>", "<|endoftext", "<| endoftext|>",
                   "<|startoftext|><|endoftext|>", "!<|endoftext|>", "a<|endoftext|>b", "<cat-toy>",
                   "<CAT-TOY>", "a<cat-toy>b", " <sks> ", "x<sks>y", "<sks><sks>", "!!", "hello!", "!<cat-toy>!",
                   "a<sw>b", "x <sw>y", "<sw>", " <sw> ", "<sw><sw>", "w<sw> <sks>z"]


def gen_prompts():
    rng = random.Random(SEED + 1)
    words = []
    for line in corpus_lines():
        words.extend(line.split())
    words = [w for w in words if w][:20000]
    fixed = ["", " ", "\n", "\t\t", "a", "A", "!", "'", "'s", "I'm here", "don't", "we'll've", "ROCK'N'ROLL",
             "a photo of an astronaut riding a horse on mars", "A PHOTO OF AN ASTRONAUT", "3.14159 2026-12-07",
             "1234567890", "x" * 300, "ab" * 100, "🙂" * 40, "東京" * 50, "é" * 90, "hello\u0000world",
             "tab\tseparated\twords", "line\nbreaks\r\nhere", "  leading and trailing  ", "\u00a0nbsp\u00a0",
             "naïve café", "nai\u0308ve cafe\u0301", "Straße STRASSE", "İİİ", "ΣΣ ΣΑΣ σς", "ǅemal ǄEMAL",
             "don’t", "l'été", "'''s'''", "'re're're", "<|startoftext|>", "<|endoftext|>", "<|endoftext|>" * 80,
             "!" * 200, "a!b!c", "hello <cat-toy> world", "<cat-toy>" * 90, "the <sks>  dog", "a<sw>b c<sw> <sw>d", "\U0001fae0 melting",
             "emoji 👍🏽👩‍🚀🇯🇵", "\ufffd\ufffd", "\U0010ffff", "\ud7ff", "\ue000 private", "\u2028\u2029",
             "\x85next line", "ア\u3099", "\u1100\u1161\u11a8", "\u0958", "\u2126 \u212b", "\uff21\uff22\uff23"]
    prompts = list(fixed)

    def piece():
        r = rng.random()
        if r < 0.45:
            return rng.choice(words)
        if r < 0.58:
            return rng.choice(ART_WORDS)
        if r < 0.66:
            return rng.choice(UNICODE_WORDS + UNICODE_EXTRA)
        if r < 0.74:
            return rng.choice(PUNCT)
        if r < 0.79:
            return rng.choice(words) + rng.choice(APOS)
        if r < 0.84:
            return str(rng.randint(0, 10 ** rng.randint(1, 9))) + rng.choice(["", ".5", ",000", "px", "k", "%"])
        if r < 0.87:
            return rng.choice(CONTROL)
        if r < 0.90:
            return rng.choice(SPECIAL_STRINGS)
        if r < 0.94:
            return rng.choice(words).upper()
        return "".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0xa0, 0x2fff),
                                       rng.randint(0x3000, 0xd7ff), rng.randint(0xe000, 0xffff),
                                       rng.randint(0x10000, 0x10ffff)])) for _ in range(rng.randint(1, 4)))

    # short runs of any assigned character, combining marks weighted up: NFC's ordering and composition with
    # marks newer than Java 17's Unicode 13 (U+1DFA, U+0C3C, U+1715, U+10EFD, ...), letters of new scripts
    assigned = [c for c in range(0x110000) if unicodedata.category(chr(c)) not in ("Cn", "Cs")]
    marks = [c for c in assigned if unicodedata.combining(chr(c))]
    for _ in range(300):
        cps = []
        for _ in range(rng.randint(1, 24)):
            r = rng.random()
            cps.append(rng.choice(assigned) if r < 0.35 else rng.choice(marks) if r < 0.6
                       else rng.randint(0x20, 0x7e) if r < 0.8 else 0x20 if r < 0.9 else rng.randint(0xa0, 0x24f))
        prompts.append("".join(map(chr, cps)))
    while len(prompts) < 1400:
        n = rng.choice([1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120])
        parts = []
        for _ in range(n):
            parts.append(piece())
            parts.append(rng.choice(SPACES) if rng.random() < 0.8 else "")
        text = "".join(parts)
        # surrogates cannot be encoded in UTF-8 JSON; BERT's clean-up removes them (category Cs) anyway
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
        prompts.append(text)
    return prompts


def main(out):
    vocab, merges = train_bpe()
    folders = write_folders(out, vocab, merges)
    prompts = gen_prompts()
    result = {"merges": len(merges), "vocab": len(vocab), "folders": {}}
    lengths = collections.Counter()
    for name, path in folders.items():
        tok = ClipTokenizerRef(path)
        chosen = prompts if name == "sd1" else prompts[:60] + prompts[60::5]
        cases = []
        for p in chosen:
            ids, untruncated, cut, warning = tok.pipeline(p)
            cases.append({"prompt": p, "ids": ids, "untruncated": untruncated, "cut": cut, "warning": warning,
                          "decode": tok.decode(untruncated)})
            if name == "sd1":
                lengths["over 77" if len(untruncated) > 77 else "fits"] += 1
        result["folders"][name] = cases
        if name == "sd1":
            # decode() of arbitrary id runs, which may cut a character's UTF-8 bytes (invalid bytes -> U+FFFD)
            rng = random.Random(SEED + 2)
            runs = []
            while len(runs) < 400:
                ids = rng.choice(cases)["untruncated"]
                if len(ids) < 3:
                    continue
                a = rng.randrange(len(ids))
                b = rng.randrange(a, len(ids)) + 1
                runs.append({"ids": ids[a:b], "text": tok.decode(ids[a:b])})
            result["decodes"] = runs
    with gzip.GzipFile(os.path.join(out, "cases.json.gz"), "wb", mtime=0) as f:
        f.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    longest = max(len(w) for w in vocab)
    print(f"{len(merges)} merges, vocab {len(vocab)}, longest token {longest} chars, prompts {len(prompts)},"
          f" {dict(lengths)}")


if __name__ == "__main__":
    main(sys.argv[1])
