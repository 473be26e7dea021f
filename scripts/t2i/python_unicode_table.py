#!/usr/bin/env python3
"""Writes the character table that io.jdiffusion.text.PythonUnicode reads, so that the Java CLIP tokenizer
classifies characters exactly as transformers' slow CLIPTokenizer does when it runs on a current Python.

Java 17 knows Unicode 13.0; Python 3.13's unicodedata knows 15.1 and the `regex` module has its own tables.
A prompt with an emoji added after Unicode 13 (U+1FAE0 and others) is category So for Python but unassigned
(Cn, a "control" to BERT's clean-up) for Java 17, so the Java side reads every property it needs from this
file instead of java.lang.Character:

  R <first code point> <general category> <flags>   a run of code points with equal properties, up to the next R
      flags (hex bits): 1 = matches regex `[\\p{L}]` with re.IGNORECASE, 2 = `[\\p{N}]`, 4 = `[^\\s\\p{L}\\p{N}]`,
      8 = str.isspace(), 16 = cased, 32 = case-ignorable (the two properties str.lower() uses for final sigma)
  L <code point> <code point>...                      str.lower() of that one character, where it changes
  F <ASCII code point> <code point>...                 other characters that the pattern letter matches under
                                                       regex.IGNORECASE (CLIP's pattern is case-insensitive)
  C <first code point> <canonical combining class>     a run of equal unicodedata.combining(), up to the next C
  D <code point> <code point>...                       canonical decomposition (unicodedata.decomposition
                                                       without a <tag>), one level
  X <code point>                                       a two-character canonical decomposition that NFC does not
                                                       recompose (composition exclusions, non-starter ones)
The last three are what NFC needs (BasicTokenizer normalizes to NFC); Java 17's java.text.Normalizer has Unicode 13
combining classes, so marks added since (U+1DFA, U+0C3C, U+1715, U+10EFD, ...) were not reordered as Python does.

Cased / case-ignorable are read back through str.lower() itself: "1" + c + "\\u03a3" lowers to a final sigma
exactly when c is cased and not case-ignorable, "A" + c + "\\u03a3" when c is case-ignorable or cased.

Regenerate (the chroot has Python 3.13.5, unicodedata 15.1.0, regex 2.5.148):

    ../shared/tools/pytorch26 run scripts/t2i/python_unicode_table.py \\
        src/main/resources/io/jdiffusion/text/python-unicode.txt
"""
import sys
import unicodedata

import regex

PAT_L = regex.compile(r"[\p{L}]", regex.IGNORECASE)
PAT_N = regex.compile(r"[\p{N}]", regex.IGNORECASE)
PAT_O = regex.compile(r"[^\s\p{L}\p{N}]", regex.IGNORECASE)
# the letters and signs of CLIP's literal alternatives: <|startoftext|> <|endoftext|> 's 't 're 've 'm 'll 'd
LITERAL_CHARS = sorted(set("<|startoftext|><|endoftext|>'s't're've'm'll'd"))


def props(c):
    flags = 0
    if PAT_L.match(c):
        flags |= 1
    if PAT_N.match(c):
        flags |= 2
    if PAT_O.match(c):
        flags |= 4
    if c.isspace():
        flags |= 8
    # Final_Sigma probes (see the module docstring); surrogates cannot be lowered in a str with others safely
    cased_not_ignorable = ("1" + c + "\u03a3").lower()[-1] == "\u03c2"
    ignorable_or_cased = ("A" + c + "\u03a3").lower()[-1] == "\u03c2"
    if cased_not_ignorable:
        flags |= 16
    elif ignorable_or_cased:
        flags |= 32
    return unicodedata.category(c), flags


def main(out):
    lines = [
        "# io.jdiffusion.text.PythonUnicode table, written by scripts/t2i/python_unicode_table.py",
        f"# Python {sys.version.split()[0]}, unicodedata {unicodedata.unidata_version}, regex {regex.__version__}",
    ]
    prev = None
    for cp in range(0x110000):
        c = chr(cp)
        p = props(c)
        if p != prev:
            lines.append(f"R {cp:x} {p[0]} {p[1]:x}")
            prev = p
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        low = c.lower()
        if low != c:
            lines.append("L %x %s" % (cp, " ".join("%x" % ord(x) for x in low)))
    for a in LITERAL_CHARS:
        pat = regex.compile(regex.escape(a), regex.IGNORECASE)
        others = [cp for cp in range(0x110000) if chr(cp) != a and pat.fullmatch(chr(cp))]
        if others:
            lines.append("F %x %s" % (ord(a), " ".join("%x" % x for x in others)))
    prev = None
    for cp in range(0x110000):
        ccc = unicodedata.combining(chr(cp))
        if ccc != prev:
            lines.append(f"C {cp:x} {ccc}")
            prev = ccc
    for cp in range(0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = [int(x, 16) for x in d.split()]
            lines.append("D %x %s" % (cp, " ".join("%x" % x for x in parts)))
            if len(parts) == 2 and unicodedata.normalize("NFC", chr(cp)) != chr(cp):
                lines.append(f"X {cp:x}")
    with open(out, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    print(out, len(lines), "lines")


if __name__ == "__main__":
    main(sys.argv[1])
