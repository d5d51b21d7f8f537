"""The literature reader's vocabulary, from the graph: the names the name resolver knows.

The curated KB's entities (classes under ``igfkg:Entity``: not studies, findings, journals or
articles) by label, exact and related synonym, as :class:`~igfkg.explore.search.NameIndex`
holds them; the MeSH topical descriptors in the store by label and ``skos:altLabel`` (a
descriptor a KB entity matches exactly stands for that entity too); and the KB's curated claims.

>>> from igfkg.graph import open
>>> v = reading_vocabulary(open())
>>> sorted(c for n, c in v.names if n == "IGF-I")
[('https://w3id.org/igfkg/kb/igf-1',)]
>>> len(v.claims) > 10
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.namespaces import GRAPH_KB, IGFKG
from igfkg.core.vocabulary import Vocabulary

if TYPE_CHECKING:
    from igfkg.explore.names import NamedGraphPort

__all__ = ["reading_vocabulary"]

_MESH_NAMES = sparql.load("igfkg.explore", "vocabulary-mesh-names")
_CLAIMS = sparql.load("igfkg.explore", "vocabulary-claims")
_ENTITY = IGFKG + "Entity"


def reading_vocabulary(kg: NamedGraphPort) -> Vocabulary:
    """The vocabulary of ``kg`` for :class:`igfkg.literature.reading.reader.Reader`."""
    index = kg.name_index()
    entities = index.of_type(_ENTITY)
    names: dict[tuple[str, tuple[str, ...]], None] = {}
    for entry in index.entries:
        if entry.entity in entities and entry.kind != "identifier":
            names[(entry.text, (entry.entity,))] = None
    kb = ox.NamedNode(GRAPH_KB)
    mapped: dict[tuple[str, str], set[str]] = {}
    for row in kg.select(sparql.fill(_MESH_NAMES, kb=kb)):
        descriptor, name, entity = row["descriptor"], row["name"], row["entity"]
        if descriptor is None or name is None:
            continue
        found = mapped.setdefault((name.value, descriptor.value), set())
        if entity is not None:
            found.add(entity.value)
    for (text, iri), entities in mapped.items():
        names[(text, (*sorted(entities), iri))] = None
    claims = {
        (row["claim"].value, row["subject"].value, row["object"].value)  # type: ignore[union-attr]
        for row in kg.select(sparql.fill(_CLAIMS, kb=kb))
        if None not in (row["claim"], row["subject"], row["object"])
    }
    return Vocabulary(tuple(sorted(names)), tuple(sorted(claims)))
