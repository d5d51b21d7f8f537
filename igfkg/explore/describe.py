"""Everything about one entity, grouped: names, types, mappings, relations with their evidence.

>>> import igfkg
>>> d = igfkg.open().describe("jaw pain")
>>> d.label, d.types
('jaw pain', ['igfkg:Phenotype'])
>>> [e.subject_label for e in d.incoming]
['mecasermin']
>>> [str(e).splitlines()[0] for e in igfkg.open().describe("neuropathic ulcer").hedged]
['insulin-like growth factor 1 —candidate therapy for (possible)→ neuropathic ulcer']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.namespaces import compact
from igfkg.explore.catalog import catalog
from igfkg.explore.traversal import Edge, neighbors

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["Description", "EvidenceSentence", "LiteratureEvidence", "describe"]

_MAPPINGS = {
    "http://www.w3.org/2004/02/skos/core#" + m
    for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
}

_LITERALS = sparql.load("igfkg.explore", "describe-literals")
_TYPES = sparql.load("igfkg.explore", "describe-types")
_EVIDENCE_COUNTS = sparql.load("igfkg.explore", "describe-evidence-counts")


@dataclass(frozen=True)
class EvidenceSentence:
    """A machine-read sentence naming the entity: article, year, text and flags."""

    pmid: str
    year: str
    text: str
    hedged: bool
    negated: bool

    def __str__(self) -> str:
        flags = [f for f, on in (("hedged", self.hedged), ("negated", self.negated)) if on]
        extra = f" [{', '.join(flags)}]" if flags else ""
        return f"PMID:{self.pmid} ({self.year or 'n.d.'}){extra}: {self.text}"


@dataclass(frozen=True)
class LiteratureEvidence:
    """What the read literature says about the entity: counts and the newest sentences
    (machine-read: see the evidence-sentences query for all of them)."""

    sentences: int
    articles: int
    hedged: int
    negated: int
    newest: tuple[EvidenceSentence, ...]


def literature_evidence(kg: GraphPort, entity: ox.NamedNode) -> LiteratureEvidence | None:
    """The evidence sentences naming ``entity`` in the store (None when there are none)."""
    bound = {"entity": entity}
    row = next(iter(kg.select(_EVIDENCE_COUNTS, bound)), None)
    count = row["sentences"] if row is not None else None
    if row is None or count is None or int(count.value) == 0:
        return None

    def number(name: str) -> int:
        term = row[name]
        return int(term.value) if term is not None else 0

    newest = tuple(
        EvidenceSentence(
            r["pmid"].value if r["pmid"] is not None else "",
            r["year"].value if r["year"] is not None else "",
            r["text"].value,  # type: ignore[union-attr]
            r["hedged"].value == "true",  # type: ignore[union-attr]
            r["negated"].value == "true",  # type: ignore[union-attr]
        )
        for r in catalog().get("evidence-sentences").run(kg, {"entity": entity.value}, limit=3)
    )
    return LiteratureEvidence(
        number("sentences"),
        number("articles"),
        number("hedgedSentences"),
        number("negatedSentences"),
        newest,
    )


@dataclass
class Description:
    """An entity's label, synonyms, definition, types, mappings, relations (with evidence) and
    the hedged claims about it, which are no relations of the graph."""

    iri: str
    label: str
    synonyms: list[str] = field(default_factory=list)
    definition: str = ""
    types: list[str] = field(default_factory=list)
    mappings: list[tuple[str, str]] = field(default_factory=list)
    outgoing: list[Edge] = field(default_factory=list)
    incoming: list[Edge] = field(default_factory=list)
    hedged: list[Edge] = field(default_factory=list)
    literature: LiteratureEvidence | None = None

    def text(self) -> str:
        """A readable, grouped description."""
        lines = [f"{self.label}  <{self.iri}>"]
        if self.types:
            lines.append(f"  type: {', '.join(self.types)}")
        if self.synonyms:
            lines.append(f"  synonyms: {'; '.join(self.synonyms)}")
        if self.definition:
            lines.append(f"  definition: {self.definition}")
        if self.mappings:
            lines.append("  mappings:")
            lines += [f"    {rel} {target}" for rel, target in self.mappings]
        sections = (
            ("relations", self.outgoing),
            ("referenced by", self.incoming),
            ("hedged claims (the source does not assert these; no plain edge)", self.hedged),
        )
        for title, edges in sections:
            if edges:
                lines.append(f"  {title}:")
                lines += ["    " + str(e).replace("\n", "\n    ") for e in edges]
        if self.literature is not None:
            lit = self.literature
            lines.append(
                f"  literature (machine-read, not claims): {lit.sentences} sentences in "
                f"{lit.articles} articles, {lit.hedged} hedged, {lit.negated} negated; newest:"
            )
            lines += [f"    {s}" for s in lit.newest]
        return "\n".join(lines) + "\n"


def describe(kg: GraphPort, entity: ox.NamedNode) -> Description:
    """Describe one entity."""
    bound = {"entity": entity}
    values: dict[str, list[str]] = {}
    for row in kg.select(_LITERALS, bound):
        values.setdefault(row["p"].value.rsplit("#", 1)[1], []).append(row["value"].value)  # type: ignore[union-attr]
    types = [
        compact(t.value)
        for t in kg.select(_TYPES, bound).column("type")
        if t is not None and t.value != "http://www.w3.org/2002/07/owl#NamedIndividual"
    ]
    every = neighbors(kg, entity, include_hedged=True)
    edges = [e for e in every if not e.hedged]
    mappings = sorted(
        (compact(e.predicate), compact(e.object))
        for e in edges
        if e.subject == entity.value and e.predicate in _MAPPINGS
    )
    rest = [e for e in edges if e.predicate not in _MAPPINGS]
    label = (values.get("label") or [compact(entity.value)])[0]
    return Description(
        iri=entity.value,
        label=label,
        synonyms=values.get("altLabel", []),
        definition=" ".join(values.get("definition", [])),
        types=types,
        mappings=mappings,
        outgoing=[e for e in rest if e.subject == entity.value],
        incoming=[e for e in rest if e.subject != entity.value],
        hedged=[e for e in every if e.hedged],
        literature=literature_evidence(kg, entity),
    )
