"""Query results as typed rows, and their W3C serializations (SPARQL 1.1 JSON, CSV, TSV).

>>> from pyoxigraph import Literal, NamedNode
>>> igf1 = NamedNode("http://purl.uniprot.org/uniprot/P05019")
>>> result = Result(["s", "n"], [(igf1, Literal("1"))])
>>> row = result.rows[0]
>>> row["n"].value, row[0].value
('1', 'http://purl.uniprot.org/uniprot/P05019')
>>> result.serialize("tsv").splitlines()
['?s\\t?n', '<http://purl.uniprot.org/uniprot/P05019>\\t"1"']
>>> print(result.serialize("table"), end="")
s                 n
----------------  -
UniProtKB:P05019  1
(1 row)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any, overload

from pyoxigraph import BlankNode, Literal, NamedNode

from igfkg.core.errors import ParameterError
from igfkg.core.namespaces import compact

__all__ = ["FORMATS", "Result", "Row", "Term", "term_to_text"]

Term = NamedNode | BlankNode | Literal
FORMATS = ("table", "csv", "tsv", "json")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Row(Sequence[Term | None]):
    """One solution: index it by position or by variable name; unbound values are None."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Term | None]) -> None:
        self._index = index
        self._values = tuple(values)

    @overload
    def __getitem__(self, key: int | str) -> Term | None: ...
    @overload
    def __getitem__(self, key: slice) -> Sequence[Term | None]: ...
    def __getitem__(self, key: int | str | slice) -> Term | Sequence[Term | None] | None:
        if isinstance(key, str):
            try:
                return self._values[self._index[key]]
            except KeyError:
                raise KeyError(
                    f"no variable {key!r}; variables: {', '.join(self._index)}"
                ) from None
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values
        if isinstance(other, tuple):
            return self._values == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        items = zip(self._index, self._values, strict=True)
        pairs = ", ".join(f"{k}={term_to_text(v)}" for k, v in items)
        return f"Row({pairs})"

    def asdict(self) -> dict[str, Term | None]:
        """The row as a ``{variable: term}`` dict."""
        return dict(zip(self._index, self._values, strict=True))


class Result:
    """The solutions of a SELECT query (or ASK, as one boolean) in a fixed variable order."""

    def __init__(
        self,
        variables: Sequence[str],
        rows: Sequence[Sequence[Term | None]] = (),
        *,
        boolean: bool | None = None,
    ) -> None:
        self.variables = list(variables)
        index = {name: i for i, name in enumerate(self.variables)}
        self.rows = [Row(index, row) for row in rows]
        self.boolean = boolean

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.boolean is not None else bool(self.rows)

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"Result(boolean={self.boolean})"
        return f"Result(variables={self.variables}, rows={len(self.rows)})"

    def column(self, name: str) -> list[Term | None]:
        """All values of one variable, in row order."""
        return [row[name] for row in self.rows]

    def serialize(self, fmt: str = "table") -> str:
        """Serialize as ``table`` (for people), ``csv``, ``tsv`` or ``json`` (W3C formats)."""
        writers = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json}
        try:
            writer = writers[fmt]
        except KeyError:
            raise ParameterError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
        return writer(self)


def term_to_text(term: Term | None) -> str:
    """A short human-readable form: CURIE for IRIs, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


def _nt(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype.value == _XSD_STRING and not term.language:
        return _quote(term.value)
    return str(term)


def _quote(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _tsv(result: Result) -> str:
    if result.boolean is not None:
        return "true\n" if result.boolean else "false\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(_nt(v).replace("\t", "\\t") for v in row))
    return "\n".join(lines) + "\n"


def _csv(result: Result) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(
            [
                "" if v is None else (f"_:{v.value}" if isinstance(v, BlankNode) else v.value)
                for v in row
            ]
        )
    return out.getvalue()


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
        out["datatype"] = term.datatype.value
    return out


def _json(result: Result) -> str:
    doc: dict[str, Any]
    if result.boolean is not None:
        doc = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [
            {n: _json_term(v) for n, v in zip(result.variables, row, strict=True) if v is not None}
            for row in result.rows
        ]
        doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _table(result: Result, max_width: int = 60) -> str:
    if result.boolean is not None:
        return ("yes" if result.boolean else "no") + "\n"
    cells = [[term_to_text(v) for v in row] for row in result.rows]
    widths = [len(v) for v in result.variables]
    for row in cells:
        widths = [max(w, min(len(c), max_width)) for w, c in zip(widths, row, strict=True)]

    def fit(text: str, width: int) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        padded = (fit(c, w).ljust(w) for c, w in zip(row, widths, strict=True))
        lines.append("  ".join(padded).rstrip())
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"
