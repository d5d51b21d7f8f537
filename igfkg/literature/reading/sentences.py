"""Sentences of an abstract, by spaCy's rule-based sentencizer on a blank English pipeline (no
statistical model to download): a sentence ends at ``.``, ``!`` or ``?`` (spaCy's tokenizer
keeps abbreviations such as ``e.g.`` and ``vs.`` whole), and at every line break, which in an
igfkg abstract separates the sections of a structured abstract. Spans are trimmed of white space.

>>> [text for _, _, text in sentences("BACKGROUND: IGF-I may help, e.g. in T2DM.\\nMETHODS: None")]
['BACKGROUND: IGF-I may help, e.g. in T2DM.', 'METHODS: None']
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["nlp", "sentence_spans", "sentences"]


@cache
def nlp() -> Language:
    """The blank English pipeline with the sentencizer (built once per process)."""
    import spacy

    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


def split(doc: Doc, text: str | None = None) -> Doc:
    """Mark a sentence start after every line break of ``doc`` (already sentencized);
    ``text``: the doc's text, when the caller has it (``Doc.text`` joins every token)."""
    text = doc.text if text is None else text
    at = text.find("\n")
    while at >= 0:
        span = doc.char_span(at, at + 1, alignment_mode="expand")
        if span is not None and span.end < len(doc):
            doc[span.end].is_sent_start = True
        at = text.find("\n", at + 1)
    return doc


def sentence_spans(doc: Doc, text: str | None = None) -> list[tuple[int, int]]:
    """The (start, end) character offsets of the sentences of a sentencized ``doc``, trimmed;
    ``text``: the doc's text, when the caller has it."""
    text = doc.text if text is None else text
    out = []
    for sent in split(doc, text).sents:
        start, end = sent.start_char, sent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def sentences(text: str) -> list[tuple[int, int, str]]:
    """The sentences of ``text``: (start, end, sentence) with ``text[start:end] == sentence``."""
    return [(s, e, text[s:e]) for s, e in sentence_spans(nlp()(text), text)]
