#!/usr/bin/env python3
"""A Python reference of transformers' slow CLIPTokenizer, as diffusers' Stable Diffusion pipelines call it,
for the Java port io.jdiffusion.text.ClipTokenizer (transformers is not installed here and cannot be fetched
whole, so this module restates its behaviour from the source files named below; nothing else uses it).

Behaviour restated from huggingface/transformers (checked against the real class, transformers 4.57.6, the last
release with the slow CLIPTokenizer, by tokenizer_transformers_check.py: equal on every fixture):
  - src/transformers/models/clip/tokenization_clip.py @ 01f287b3d817b48b7bf61c408b269e3c93a24c97 (as in 4.57.6):
    bytes_to_unicode, CLIPTokenizer.__init__ (merges: lines 1 .. 48894 of merges.txt after .strip(),
    the first line being the "#version" header), bpe, _tokenize WITHOUT ftfy (its copy of BERT's
    BasicTokenizer with strip_accents=False, do_split_on_punc=False: _clean_text, _tokenize_chinese_chars,
    NFC, whitespace split, lower-case), the case-insensitive pre-tokenization pattern,
    _convert_token_to_id (unknown -> unk), convert_tokens_to_string (bytes decoded with errors="replace",
    "</w>" -> " ", strip), build_inputs_with_special_tokens (bos + ids + eos);
  - src/transformers/tokenization_utils.py of 4.57.6 (PreTrainedTokenizer; the same logic as
    tokenization_python.py @ edfbb7a1c28d004e9b2f138cdebff9afa026dfbb apart from _decode): every special token
    is an added token (so an SD 2.x pad token "!" is split out of the prompt by the added-token trie and keeps
    its own id), Trie.split, tokenize (lstrip / rstrip / single_word of added tokens, then _tokenize on the
    other pieces), _is_whitespace / _is_control, convert_ids_to_tokens, _decode (runs of tokens through
    convert_tokens_to_string, non-special added tokens as pieces of their own, pieces joined by spaces,
    clean_up_tokenization when configured), prepare_for_model / truncate_sequences (right side, longest_first)
    and pad (right side, to max_length);
  - tokenization_utils_base.py: clean_up_tokenization_spaces defaults to False; special_tokens_map.json
    overrides the special tokens of tokenizer_config.json; added_tokens.json entries are AddedTokens with
    lstrip = rstrip = single_word = False.
diffusers (src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion.py @ 58eb52c0, encode_prompt):
    text_input_ids = tokenizer(prompt, padding="max_length", max_length=model_max_length, truncation=True)
    untruncated_ids = tokenizer(prompt, padding="longest")
    if len(untruncated) >= len(text_input_ids) and they differ:
        warning("... up to {model_max_length} tokens: {batch_decode(untruncated_ids[:, max_length - 1 : -1])}")

Used as a module by tokenizer_fixtures.py, or alone:
    ../shared/tools/pytorch26 run scripts/t2i/clip_tokenizer_ref.py TOKENIZER_FOLDER "a prompt"
"""
import json
import os
import re as std_re
import sys
import unicodedata

import regex

MAX_MERGES = 49152 - 256 - 2  # CLIPTokenizer reads merges.txt lines [1 : 49152 - 256 - 2 + 1]
PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE,
)


def bytes_to_unicode():
    """GPT-2 / CLIP byte alphabet: printable Latin-1 bytes map to themselves, the others to U+0100 onwards."""
    printable = (
        list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    )
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


# ---- BERT BasicTokenizer, the no-ftfy path (strip_accents=False, do_split_on_punc=False) ----
def is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def is_cjk(cp):
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def basic_tokenize(text):
    cleaned = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        cleaned.append(" " if is_whitespace(ch) else ch)
    spaced = []
    for ch in cleaned:
        spaced.append(f" {ch} " if is_cjk(ord(ch)) else ch)
    text = unicodedata.normalize("NFC", "".join(spaced))
    words = [w.lower() for w in text.strip().split()]
    return " ".join(words).strip().split()


class AddedToken:
    def __init__(self, content, lstrip=False, rstrip=False, single_word=False, normalized=True, special=False):
        self.content, self.lstrip, self.rstrip, self.single_word = content, lstrip, rstrip, single_word
        self.normalized, self.special = normalized, special


class Trie:
    """transformers' Trie: splits text around added tokens, earliest start first, longest match there."""

    def __init__(self, words):
        self.data = {}
        for w in words:
            if not w:
                continue
            node = self.data
            for ch in w:
                node = node.setdefault(ch, {})
            node[""] = 1

    def split(self, text):
        states = {}  # insertion-ordered: start -> node
        offsets = [0]
        skip = 0
        for current, ch in enumerate(text):
            if skip and current < skip:
                continue
            to_remove = set()
            reset = False
            for start, node in states.items():
                if "" in node:
                    for lookstart, looknode in states.items():
                        if lookstart > start:
                            break
                        elif lookstart < start:
                            lookahead = current + 1
                            end = current + 1
                        else:
                            lookahead = current
                            end = current
                        nxt = text[lookahead] if lookahead < len(text) else None
                        if "" in looknode:
                            start = lookstart
                            end = lookahead
                            skip = lookahead
                        while nxt in looknode:
                            looknode = looknode[nxt]
                            lookahead += 1
                            if "" in looknode:
                                start = lookstart
                                end = lookahead
                                skip = lookahead
                            if lookahead == len(text):
                                break
                            nxt = text[lookahead]
                    offsets.append(start)
                    offsets.append(end)
                    reset = True
                    break
                elif ch in node:
                    states[start] = node[ch]
                else:
                    to_remove.add(start)
            if reset:
                states = {}
            else:
                for start in to_remove:
                    del states[start]
            if current >= skip and ch in self.data:
                states[current] = self.data[ch]
        for start, node in states.items():
            if "" in node:
                offsets.append(start)
                offsets.append(len(text))
                break
        offsets.append(len(text))
        pieces, start = [], 0
        for end in offsets:
            if start >= end:
                continue
            pieces.append(text[start:end])
            start = end
        return pieces


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _token(value):
    """A special token as tokenizer_config / special_tokens_map store it: a string or an AddedToken dict."""
    if isinstance(value, dict):
        return value["content"]
    return value


class ClipTokenizerRef:
    def __init__(self, folder):
        vocab_path = os.path.join(folder, "vocab.json")
        merges_path = os.path.join(folder, "merges.txt")
        json_path = os.path.join(folder, "tokenizer.json")
        added = {}  # id -> AddedToken
        if os.path.exists(vocab_path) and os.path.exists(merges_path):
            self.encoder = _read_json(vocab_path)
            with open(merges_path, encoding="utf-8") as f:
                lines = f.read().strip().split("\n")[1 : MAX_MERGES + 1]
            merges = [tuple(line.split()) for line in lines]
        else:
            # a fast tokenizer's file: its BPE model's vocab and merges, its added tokens
            tj = _read_json(json_path)
            self.encoder = tj["model"]["vocab"]
            merges = [tuple(m.split()) if isinstance(m, str) else tuple(m) for m in tj["model"]["merges"]][:MAX_MERGES]
            for t in tj.get("added_tokens", []):
                added[t["id"]] = AddedToken(
                    t["content"], t.get("lstrip", False), t.get("rstrip", False), t.get("single_word", False),
                    t.get("normalized", True), t.get("special", False))
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.bpe_ranks = {m: i for i, m in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        self.cache = {"<|startoftext|>": "<|startoftext|>", "<|endoftext|>": "<|endoftext|>"}

        config = {}
        if os.path.exists(os.path.join(folder, "tokenizer_config.json")):
            config = _read_json(os.path.join(folder, "tokenizer_config.json"))
        special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
                   "pad_token": "<|endoftext|>"}
        for key in special:
            if config.get(key) is not None:
                special[key] = _token(config[key])
        if os.path.exists(os.path.join(folder, "special_tokens_map.json")):
            for key, value in _read_json(os.path.join(folder, "special_tokens_map.json")).items():
                if key in special and value is not None:
                    special[key] = _token(value)
        self.special = special
        self.model_max_length = config.get("model_max_length", 77)
        self.clean_up = config.get("clean_up_tokenization_spaces", False)

        for index, t in config.get("added_tokens_decoder", {}).items():
            added[int(index)] = AddedToken(
                t["content"], t.get("lstrip", False), t.get("rstrip", False), t.get("single_word", False),
                t.get("normalized", True), t.get("special", False))
        added_json = os.path.join(folder, "added_tokens.json")
        if os.path.exists(added_json):
            specials = set(special.values())
            for content, index in _read_json(added_json).items():
                added[index] = AddedToken(content, special=content in specials)
        self.added_decoder = added
        self.added_encoder = {t.content: i for i, t in added.items()}
        # PythonBackend.__init__: the special tokens not yet added become added tokens (at their vocab id,
        # or after the vocabulary when absent), in the order bos, eos, unk, sep, pad, cls, mask
        for key in ("bos_token", "eos_token", "unk_token", "pad_token"):
            content = special[key]
            if content in self.added_encoder:
                continue
            size = len(set(self.encoder) | set(self.added_encoder))
            index = self.encoder.get(content, self.added_encoder.get(content, size))
            self.added_decoder[index] = AddedToken(content, normalized=False, special=True)
            self.added_encoder[content] = index
        self.trie = Trie(t.content for t in self.added_decoder.values())

    # ---- tokenization ----
    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if best not in self.bpe_ranks:
                break
            first, second = best
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
        result = " ".join(word)
        self.cache[token] = result
        return result

    def _tokenize(self, text):
        text = " ".join(basic_tokenize(text))
        out = []
        for piece in PATTERN.findall(text):
            piece = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            out.extend(self.bpe(piece).split(" "))
        return out

    def tokenize(self, text):
        tokens = self.trie.split(text)
        for i, token in enumerate(tokens):
            if token in self.added_encoder:
                t = self.added_decoder[self.added_encoder[token]]
                left = tokens[i - 1] if i > 0 else None
                right = tokens[i + 1] if i < len(tokens) - 1 else None
                if t.rstrip and right:
                    tokens[i + 1] = right.lstrip()
                if t.lstrip and left:
                    tokens[i - 1] = left.rstrip()
                if t.single_word:
                    if left and left[-1] != " ":
                        tokens[i - 1] += token
                        tokens[i] = ""
                    elif right and right[0] != " ":
                        tokens[i + 1] = token + tokens[i + 1]
                        tokens[i] = ""
        result = []
        for token in tokens:
            if not token:
                continue
            if token in self.added_encoder:
                result.append(token)
            else:
                result.extend(self._tokenize(token))
        return result

    def token_id(self, token):
        if token in self.added_encoder:
            return self.added_encoder[token]
        return self.encoder.get(token, self.encoder.get(self.special["unk_token"]))

    def __call__(self, prompt, padding, max_length=None, truncation=False):
        """tokenizer(prompt, padding=..., max_length=..., truncation=...).input_ids for one prompt."""
        ids = [self.token_id(t) for t in self.tokenize(prompt)]
        if truncation and max_length and len(ids) + 2 > max_length:
            ids = ids[: -(len(ids) + 2 - max_length)]
        seq = [self.token_id(self.special["bos_token"])] + ids + [self.token_id(self.special["eos_token"])]
        if padding == "max_length":
            seq += [self.token_id(self.special["pad_token"])] * (max_length - len(seq))
        return seq

    # ---- decoding ----
    def tokens_to_string(self, tokens):
        text = "".join(tokens)
        text = bytearray(self.byte_decoder[c] for c in text).decode("utf-8", errors="replace")
        return text.replace("</w>", " ").strip()

    def decode(self, ids):
        # PreTrainedTokenizer._decode (4.57.6): added tokens that are not special ("legacy added tokens") stand
        # as their own pieces between the byte-decoded runs, all pieces joined by single spaces
        legacy = {t.content for t in self.added_decoder.values()} - set(self.special.values())
        pieces, run = [], []
        for i in ids:
            token = self.added_decoder[i].content if i in self.added_decoder else self.decoder[i]
            if token in legacy:
                if run:
                    s = self.tokens_to_string(run)
                    if s:
                        pieces.append(s)
                    run = []
                pieces.append(token)
            else:
                run.append(token)
        if run:
            pieces.append(self.tokens_to_string(run))
        text = " ".join(pieces)
        if self.clean_up:
            text = (text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                    .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                    .replace(" 've", "'ve").replace(" 're", "'re"))
        return text

    def pipeline(self, prompt):
        """What diffusers' encode_prompt computes: ids, untruncated ids, and its truncation warning or None."""
        n = self.model_max_length
        ids = self(prompt, padding="max_length", max_length=n, truncation=True)
        untruncated = self(prompt, padding="longest")
        warning = None
        cut = None
        if len(untruncated) >= len(ids) and untruncated != ids:
            cut = self.decode(untruncated[n - 1 : -1])
            warning = ("The following part of your input was truncated because CLIP can only handle sequences up to"
                       f" {n} tokens: {[cut]}")
        return ids, untruncated, cut, warning


if __name__ == "__main__":
    tok = ClipTokenizerRef(sys.argv[1])
    for p in sys.argv[2:]:
        ids, untruncated, cut, warning = tok.pipeline(p)
        print(json.dumps({"prompt": p, "tokens": tok.tokenize(p), "ids": ids, "untruncated": untruncated,
                          "cut": cut, "warning": warning, "decode": tok.decode(untruncated)}, ensure_ascii=False))
