"""JSON-LD of a dataset, compacted with the project's published ``@context``
(``ontology/context.jsonld``: one term per prefix of :data:`~igfkg.core.namespaces.PREFIXES`).

Oxigraph writes the expanded JSON-LD (one ``@graph`` per named graph); :func:`dataset_jsonld`
then writes each IRI that a prefix covers as a compact IRI (``kb:igf-1``) in property keys,
``@id`` and datatype ``@type`` values, and embeds the context, so the document reads alone.

>>> import pyoxigraph as ox
>>> quad = ox.Quad(ox.NamedNode("https://w3id.org/igfkg/kb/igf-1"),
...     ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("IGF-1"),
...     ox.NamedNode("https://w3id.org/igfkg/graph/kb"))
>>> doc = json.loads(dataset_jsonld([quad]))
>>> doc["@graph"][0]["@id"], doc["@graph"][0]["@graph"][0]["@id"]
('igfkg:graph/kb', 'kb:igf-1')
>>> list(doc["@graph"][0]["@graph"][0])[1]
'rdfs:label'
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from igfkg.core import resources
from igfkg.core.namespaces import PREFIXES

__all__ = ["context", "dataset_jsonld"]


@functools.cache
def context() -> dict[str, Any]:
    """The published context document: ``{"@context": {...}}``."""
    data: dict[str, Any] = json.loads(resources.context_file().read_text(encoding="utf-8"))
    return data


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def _compact(iri: str) -> str:
    for prefix, base in _BY_LENGTH:
        if iri.startswith(base) and len(iri) > len(base):
            local = iri[len(base) :]
            if not local.startswith("//"):  # "p://x" would read as an absolute IRI
                return f"{prefix}:{local}"
    return iri


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("@id", "@type") and isinstance(value, str):
            out[key] = value if value.startswith("_:") else _compact(value)
        elif key == "@value":
            out[key] = value  # data, never an IRI
        elif key.startswith("@"):
            out[key] = _walk(value)
        else:
            out[_compact(key)] = _walk(value)
    return out


def dataset_jsonld(quads: Iterable[ox.Quad]) -> bytes:
    """The quads as one compacted JSON-LD document: the default graph's nodes and one
    ``{"@id": graph, "@graph": [...]}`` object per named graph, under the embedded context.
    Deterministic for the same quads."""
    ordered = sorted(quads, key=lambda q: (str(q.graph_name), str(q)))
    expanded = json.loads(ox.serialize(ordered, format=ox.RdfFormat.JSON_LD) or b"[]")
    doc = {"@context": context()["@context"], "@graph": _walk(expanded)}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
