"""Fast N-Triples writing of records: plain strings, escaped per the N-Triples grammar.

>>> literal('He said "hi"\\n')
'"He said \\\\"hi\\\\"\\\\n"'
>>> literal("2002", XSD + "gYear")
'"2002"^^<http://www.w3.org/2001/XMLSchema#gYear>'
"""

from __future__ import annotations

import re

__all__ = ["XSD", "iri", "literal"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04X}"


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """An N-Triples literal."""
    text = '"' + _ESCAPE.sub(_escape, value) + '"'
    if language:
        return f"{text}@{language}"
    if datatype:
        return f"{text}^^<{datatype}>"
    return text


def iri(value: str) -> str:
    """An N-Triples IRI reference (the caller guarantees a valid IRI)."""
    return f"<{value}>"
