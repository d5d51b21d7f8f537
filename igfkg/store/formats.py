"""RDF file formats: names, extensions, parsing with errors that name file, line and column.

>>> rdf_format("kb.ttl"), rdf_format("x.nq.gz")
('ttl', 'nq')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from igfkg.core.errors import DataFileError, ParameterError

__all__ = [
    "OX_FORMATS",
    "QUAD_FORMATS",
    "file_triples",
    "parse_quads",
    "rdf_format",
    "syntax_error",
]

_EXTENSIONS = {
    "ttl": "ttl",
    "turtle": "ttl",
    "nt": "nt",
    "ntriples": "nt",
    "nq": "nq",
    "nquads": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "xml": "xml",
    "rdf": "xml",
    "owl": "xml",
}
QUAD_FORMATS = {"nq", "trig"}


def rdf_format(name_or_path: str | Path) -> str:
    """Normalise a format name or file name to one of ttl, nt, nq, trig, jsonld, xml.

    >>> rdf_format("kb.ttl"), rdf_format("turtle"), rdf_format(Path("x.nq"))
    ('ttl', 'ttl', 'nq')
    """
    text = str(name_or_path).lower()
    if text.endswith(".gz"):
        text = text[:-3]
    key = text.rsplit(".", 1)[-1] if "." in text else text
    try:
        return _EXTENSIONS[key]
    except KeyError:
        known = ", ".join(sorted(set(_EXTENSIONS.values())))
        raise ParameterError(f"unknown RDF format {name_or_path!s}; known: {known}") from None


OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def syntax_error(source: str, error: SyntaxError) -> DataFileError:
    """A DataFileError naming the file, line and column of a parser's SyntaxError."""
    message = re.sub(
        r"^Parser error (?:at|between) line \d+ column \d+(?: and line \d+ column \d+)?: ",
        "",
        str(error.msg),
    )
    return DataFileError(source, message, error.lineno, error.offset)


def parse_quads(data: bytes, fmt: str, graph: str | None, source: str = "<data>") -> list[ox.Quad]:
    """Parse RDF bytes into quads; triples go to ``graph`` (None: the default graph).

    Blank nodes are renamed, so files loaded one after another never share one by accident.
    A syntax error raises DataFileError with the file, line and column.

    >>> parse_quads(b"<http://x/a> <http://x/p> .", "nt", None, "bad.nt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.DataFileError: bad.nt:1:27: The object of a triple must be an IRI, ...
    """
    fmt = rdf_format(fmt)
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        parsed = list(ox.parse(data, format=OX_FORMATS[fmt], rename_blank_nodes=True))
    except SyntaxError as error:
        raise syntax_error(source, error) from None
    if fmt in QUAD_FORMATS:
        return [q for q in parsed if isinstance(q, ox.Quad)]
    return [ox.Quad(t.subject, t.predicate, t.object, target) for t in parsed]


def file_triples(paths: Iterable[Path]) -> Iterator[ox.Triple]:
    """The triples of RDF files (of quad files: every graph's), streamed as parsed, literals
    in their lexical form as written; blank nodes renamed per file. An unreadable file or a
    syntax error raises DataFileError naming the file (and line and column).

    >>> list(file_triples([Path("missing.ttl")]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.DataFileError: missing.ttl: No such file or directory
    """
    for path in paths:
        fmt = OX_FORMATS[rdf_format(path)]
        try:
            with Path(path).open("rb") as stream:
                for item in ox.parse(stream, format=fmt, rename_blank_nodes=True):
                    if isinstance(item, ox.Quad):
                        yield ox.Triple(item.subject, item.predicate, item.object)
                    else:
                        yield item
        except OSError as error:
            raise DataFileError(str(path), error.strerror or str(error)) from None
        except SyntaxError as error:
            raise syntax_error(str(path), error) from None
