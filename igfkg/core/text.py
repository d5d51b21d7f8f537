"""How names are compared: the word tokens of a name, normalised for case, Greek letters,
Roman numerals, British spelling and punctuation, shared by the name resolver and the literature
reader (so what the CLI finds the reader finds).

>>> normalize("IGF-I") == normalize("igf 1") == normalize("IGF1")
True
>>> normalize("type II diabetes") == normalize("Type 2 Diabetes")
True
>>> normalize("oedema") == normalize("edema")
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "tokens"]

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ω": "omega",
}  # fmt: skip
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}
# British to American spelling, applied to both sides of every comparison: oedema/edema,
# glycaemic/glycemic, haem/hem, oestrogen/estrogen, signalling/signaling, tumour/tumor, -isation,
# somatotrophin/somatotropin.
_SPELLING = [
    (re.compile(r"ae"), "e"),
    (re.compile(r"oe"), "e"),
    (re.compile(r"lling\b"), "ling"),
    (re.compile(r"isation\b"), "ization"),
    (re.compile(r"our\b"), "or"),
    (re.compile(r"trophin\b"), "tropin"),
]
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of ``text`` as compared: Unicode-normalised (Ⅱ is II), case-folded, Greek
    letters spelled out, apostrophes dropped, Roman numerals I–VI as digits, British spelling
    as American, split at spaces, hyphens, dashes, slashes and other punctuation.

    >>> tokens("Bell's palsy"), tokens("IGF-Ⅱ"), tokens("TGF-β signalling")
    (['bells', 'palsy'], ['igf', '2'], ['tgf', 'beta', 'signaling'])
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(_GREEK.get(c, c) for c in text)
    text = re.sub(r"['’]", "", text)
    words = []
    for word in _WORD.findall(text):
        word = _ROMAN.get(word, word)
        for pattern, replacement in _SPELLING:
            word = pattern.sub(replacement, word)
        # Letters and digits written together are two words: IGF1 is IGF 1, T2DM is T 2 DM.
        words += re.findall(r"\d+|\D+", word)
    return words


def normalize(text: str) -> str:
    """The comparison key of a name: its :func:`tokens` run together."""
    return "".join(tokens(text))
