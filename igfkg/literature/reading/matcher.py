"""Names of the vocabulary found in text, by one pass of an Aho–Corasick automaton
(pyahocorasick) over the text's normalised words.

Text and names are compared as the name resolver compares them (:func:`igfkg.core.text.tokens`:
case, Greek letters, Roman numerals, British spelling, hyphens and other punctuation do not
matter), word by word: a name matches whole words only, the longest name wins, and matches do
not overlap. An acronym of the vocabulary (``GH``, ``INS``, ``T2DM``: no lower-case letter)
matches only where the text writes it without lower-case letters, so ``ins`` is not insulin.
A name's plural (``receptors``) is matched too.

>>> m = Matcher([("IGF-I", ("kb:igf-1",)), ("insulin receptor", ("kb:insr",)), ("GH", ("kb:gh",))])
>>> text = "IGF1 and insulin receptors, not gh or IGF1R"
>>> [(text[f.start : f.end], f.concepts) for f in m.find(text)]
[('IGF1', ('kb:igf-1',)), ('insulin receptors', ('kb:insr',))]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from igfkg.core.text import tokens

__all__ = ["Matcher", "Mention"]

# A word of text: letters and digits, with apostrophes inside (Bell's), as tokens() reads them.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Mention:
    """A name found in text: character offsets and the concepts (IRIs) the name stands for."""

    start: int
    end: int
    concepts: tuple[str, ...]


def _acronym(name: str) -> bool:
    return any(c.isupper() for c in name) and not any(c.islower() for c in name)


class Matcher:
    """An automaton over the normalised names of a vocabulary: (name, concepts) pairs."""

    def __init__(
        self, names: Iterable[tuple[str, tuple[str, ...]]], first: tuple[str, ...] = ()
    ) -> None:
        """``first``: IRI prefixes of the concepts that come first where names of several
        concepts are written alike (the graph's entities before MeSH descriptors)."""
        entries: dict[str, tuple[set[str], bool]] = {}
        for name, concepts in names:
            words = tokens(name)
            if not words or not concepts:
                continue
            acronym = _acronym(name)
            forms = [words]
            last = words[-1]
            if not acronym and len(last) > 3 and last.isalpha() and not last.endswith("s"):
                forms.append([*words[:-1], last + "s"])
            for form in forms:
                key = " ".join(form) + " "
                known, strict = entries.get(key, (set(), True))
                # A key written as an ordinary word somewhere is not held to acronym case.
                entries[key] = (known | set(concepts), strict and acronym)
        self.automaton = ahocorasick.Automaton()
        for key, (known_concepts, strict) in entries.items():
            ranked = tuple(sorted(known_concepts, key=lambda c: (not c.startswith(first), c)))
            self.automaton.add_word(key, (len(key), ranked, strict))
        self.size = len(entries)
        if entries:
            self.automaton.make_automaton()
        self._words: dict[str, list[str]] = {}

    def _normalised(self, text: str) -> tuple[str, list[int], list[tuple[int, int, bool, bool]]]:
        """The text's tokens, each followed by a space; where each token starts in that string;
        and per token: its word's offsets in ``text``, and whether it starts or ends the word."""
        parts: list[str] = []
        starts: list[int] = []
        spans: list[tuple[int, int, bool, bool]] = []
        cache = self._words
        pos = 0
        for match in _WORD.finditer(text):
            word = match.group()
            found = cache.get(word)
            if found is None:
                found = cache[word] = tokens(word)
                if len(cache) > 200_000:
                    cache.clear()
            last = len(found) - 1
            s, e = match.span()
            for i, token in enumerate(found):
                starts.append(pos)
                parts.append(token)
                pos += len(token) + 1
                spans.append((s, e, i == 0, i == last))
        return " ".join(parts) + " ", starts, spans

    def find(self, text: str) -> list[Mention]:
        """The vocabulary's names in ``text``: leftmost, longest, not overlapping."""
        if not self.size:
            return []
        string, starts, spans = self._normalised(text)
        if not starts:
            return []
        index = {start: i for i, start in enumerate(starts)}
        found: list[tuple[int, int, tuple[str, ...]]] = []
        for end, (length, concepts, strict) in self.automaton.iter(string):
            begin = end - length + 1
            first = index.get(begin)
            if first is None or not spans[first][2]:
                continue  # not at the start of a word
            last = index.get(end + 1, len(starts)) - 1
            if not spans[last][3]:
                continue  # ends inside a word (IGF1 in IGF1R)
            s, e = spans[first][0], spans[last][1]
            if strict and any(c.islower() for c in text[s:e]):
                continue
            found.append((first, last, concepts))
        found.sort(key=lambda f: (f[0], -f[1]))
        out: list[Mention] = []
        taken = -1
        for first, last, concepts in found:
            if first > taken:
                out.append(Mention(spans[first][0], spans[last][1], concepts))
                taken = last
        return out
