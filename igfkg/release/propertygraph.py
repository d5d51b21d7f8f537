"""The knowledge graph as a property graph: nodes and edges with Biolink categories and
predicates and the provenance of every claim, streamed for the KGX and Neo4j writers
(:mod:`igfkg.release.pgwriters`).

Nodes: the knowledge base's entities (instances of igfkg:Entity's subclasses), the articles
(curated and ingested, ``biolink:Article``) and the MeSH descriptors the articles are indexed
with. Ids are CURIEs where igfkg knows the prefix (:data:`igfkg.core.namespaces.PREFIXES`).
Each entity carries the machine-read evidence of a read store (``igfkg read``) as two counts,
``evidence_sentences`` and ``evidence_articles`` (0 when not read); the sentences, their
mentions and candidate statements are never edges.

Edges: every claim between two entities, hedged ones included but flagged (``hedged``, and
never ``knowledge_level`` ``knowledge_assertion``), every plain edge between two entities that
no claim annotates (an established claim *is* its plain edge, so it is exported once, as the
claim), and each article's MeSH descriptors (``biolink:mentions``).

Biolink terms come from the ontology's ``skos:exactMatch/closeMatch/broadMatch`` to Biolink,
inherited along ``rdfs:subClassOf`` / ``rdfs:subPropertyOf`` from the nearest mapped ancestor;
``biolink:NamedThing`` / ``biolink:related_to`` where none is mapped.

Streaming: the knowledge base's part (curated, small) is read by SPARQL; the articles are read
article by article from quad-pattern lookups, so memory does not grow with their number (only
the set of MeSH descriptors seen, bounded by MeSH itself, is kept).

>>> import igfkg
>>> kg = igfkg.open()
>>> edges = [r for r in stream(kg) if isinstance(r, Edge)]
>>> hedged = [e for e in edges if e.hedged]
>>> {e.knowledge_level for e in hedged} & {"knowledge_assertion"}
set()
>>> e = next(e for e in edges if e.claim_id == "mecasermin-adverse-jaw-pain")
>>> e.subject, e.predicate, e.object, e.publications
('kb:mecasermin', 'biolink:has_adverse_event', 'kb:jaw-pain', ('PMID:15832492',))
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.namespaces import BASE, GRAPH_KB, GRAPH_SOURCES, compact
from igfkg.core.progress import step
from igfkg.core.results import Term
from igfkg.explore.evidence import entity_counts

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = [
    "AGENT_TYPE",
    "ARTICLE_CATEGORY",
    "EDGE_COLUMNS",
    "EDGE_MULTIVALUED",
    "KNOWLEDGE_LEVEL",
    "KNOWLEDGE_SOURCE",
    "MENTIONS",
    "NODE_COLUMNS",
    "NODE_MULTIVALUED",
    "Edge",
    "Node",
    "Value",
    "stream",
]

BIOLINK = "https://w3id.org/biolink/vocab/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_PMID = "http://purl.org/ontology/bibo/pmid"
_DOI = "http://purl.org/ontology/bibo/doi"
_TITLE = "http://purl.org/dc/terms/title"
_ARTICLE = BASE + "JournalArticle"
_HAS_DESCRIPTOR = BASE + "hasMeshDescriptor"
_HAS_MAJOR = BASE + "hasMajorMeshDescriptor"
_ESTABLISHED = BASE + "Established"

#: The knowledge source of every edge: igfkg's dataset IRI (as in its VoID). igfkg has no
#: Biolink information-resource (``infores:``) id, and none is made up here.
KNOWLEDGE_SOURCE = "igfkg:dataset"
NAMED_THING = "biolink:NamedThing"
RELATED_TO = "biolink:related_to"
#: Articles (igfkg:JournalArticle, which the ontology maps to BIBO only).
ARTICLE_CATEGORY = "biolink:Article"
#: An article's MeSH descriptors: Biolink's "mentions" (``has_topic`` is a node property).
MENTIONS = "biolink:mentions"

#: igfkg certainty -> Biolink 4 ``knowledge_level``. Only an established claim is a
#: knowledge assertion; a probable or possible one is the source's speculation
#: (``prediction``); experimental-only is reported from experiments (``observation``); an
#: uncertain, unknown or not-demonstrated one asserts nothing (``not_provided``).
KNOWLEDGE_LEVEL = {
    "Established": "knowledge_assertion",
    "Probable": "prediction",
    "Possible": "prediction",
    "ExperimentalOnly": "observation",
    "Uncertain": "not_provided",
    "Unknown": "not_provided",
    "NotDemonstrated": "not_provided",
}
#: Biolink 4 ``agent_type``: curators read and record every claim and plain edge by hand;
#: NLM's MeSH indexing is manual or automated (MTIX) and an ingested record does not say which.
AGENT_TYPE = {"curated": "manual_agent", "indexing": "not_provided"}

NODE_COLUMNS = (
    "id",
    "category",
    "name",
    "description",
    "synonym",
    "xref",
    "close_match",
    "broad_match",
    "narrow_match",
    "iri",
    "igfkg_type",
    "provided_by",
    "evidence_sentences",
    "evidence_articles",
)
NODE_MULTIVALUED = frozenset(
    {"category", "synonym", "xref", "close_match", "broad_match", "narrow_match", "provided_by"}
)
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
    "publications",
    "hedged",
    "certainty",
    "hedge_cues",
    "supporting_text",
    "claim_id",
    "claim_group",
    "supporting_evidence",
    "qualifying_evidence",
    "contradicting_evidence",
    "major_topic",
)
EDGE_MULTIVALUED = frozenset(
    {
        "publications",
        "hedge_cues",
        "supporting_evidence",
        "qualifying_evidence",
        "contradicting_evidence",
    }
)
_BIOLINK = sparql.load("igfkg.release", "pg-biolink")
_CLAIM_VALUES = sparql.load("igfkg.release", "pg-claim-values")
_CLAIMS = sparql.load("igfkg.release", "pg-claims")
_ENTITIES = sparql.load("igfkg.release", "pg-entities")
_ENTITY_VALUES = sparql.load("igfkg.release", "pg-entity-values")
_HIERARCHY = sparql.load("igfkg.release", "pg-hierarchy")
_MATCH = sparql.load("igfkg.release", "pg-match")
_PLAIN_EDGES = sparql.load("igfkg.release", "pg-plain-edges")
_PUBLICATIONS = sparql.load("igfkg.release", "pg-publications")
#: A column's value: text, a flag, a count, a list, or none.
Value = str | bool | int | tuple[str, ...] | None
_EDGE_IDS = uuid.UUID("6f1c3a52-3f0e-5b7e-9a57-1d2f1c0e6a11")


@dataclass(frozen=True)
class Node:
    """A node: CURIE id, Biolink categories, name, description, synonyms and mappings."""

    id: str
    category: tuple[str, ...]
    name: str = ""
    description: str = ""
    synonym: tuple[str, ...] = ()
    xref: tuple[str, ...] = ()
    close_match: tuple[str, ...] = ()
    broad_match: tuple[str, ...] = ()
    narrow_match: tuple[str, ...] = ()
    iri: str = ""
    igfkg_type: str = ""
    provided_by: tuple[str, ...] = (KNOWLEDGE_SOURCE,)
    evidence_sentences: int | None = None
    evidence_articles: int | None = None

    def fields(self) -> dict[str, Value]:
        """The node's columns (:data:`NODE_COLUMNS`) by name."""
        return {c: getattr(self, c) for c in NODE_COLUMNS}


@dataclass(frozen=True)
class Edge:
    """An edge with its provenance. ``hedged`` is True for every claim the source does not
    state as established; ``major_topic`` is set on article-to-descriptor edges only."""

    id: str
    subject: str
    predicate: str
    object: str
    original_predicate: str
    knowledge_level: str
    agent_type: str
    primary_knowledge_source: str = KNOWLEDGE_SOURCE
    publications: tuple[str, ...] = ()
    hedged: bool = False
    certainty: str = ""
    hedge_cues: tuple[str, ...] = ()
    supporting_text: str = ""
    claim_id: str = ""
    claim_group: str = ""
    supporting_evidence: tuple[str, ...] = ()
    qualifying_evidence: tuple[str, ...] = ()
    contradicting_evidence: tuple[str, ...] = ()
    major_topic: bool | None = None

    def fields(self) -> dict[str, Value]:
        """The edge's columns (:data:`EDGE_COLUMNS`) by name."""
        return {c: getattr(self, c) for c in EDGE_COLUMNS}


def _edge_id(*parts: str) -> str:
    """A stable edge id: a name-based UUID (v5) of what identifies the edge."""
    return "urn:uuid:" + str(uuid.uuid5(_EDGE_IDS, "\t".join(parts)))


def _value(term: object) -> str:
    return str(getattr(term, "value", "")) if term is not None else ""


class _Biolink:
    """The Biolink term of each ontology class and property: its own mapping, else the nearest
    mapped ancestor's (breadth-first, so the nearest wins; exactMatch before closeMatch before
    broadMatch at one distance)."""

    _RANK: ClassVar[dict[str, int]] = {
        _SKOS + "exactMatch": 0,
        _SKOS + "closeMatch": 1,
        _SKOS + "broadMatch": 2,
    }

    def __init__(self, kg: GraphPort) -> None:
        self.parents: dict[str, list[str]] = defaultdict(list)
        for row in kg.select(_HIERARCHY):
            self.parents[_value(row["child"])].append(_value(row["parent"]))
        best: dict[str, tuple[int, str]] = {}
        for row in kg.select(_BIOLINK):
            term, rank = _value(row["term"]), self._RANK[_value(row["match"])]
            target = "biolink:" + _value(row["biolink"])[len(BIOLINK) :]
            if term not in best or (rank, target) < best[term]:
                best[term] = (rank, target)
        self.mapped = {term: target for term, (_, target) in best.items()}
        self._cache: dict[str, str | None] = {}

    def of(self, term: str) -> str | None:
        """The Biolink term of ``term`` or its nearest mapped ancestor, or None."""
        if term not in self._cache:
            seen, level = {term}, [term]
            found = None
            while level and found is None:
                found = next((self.mapped[t] for t in level if t in self.mapped), None)
                level = [p for t in level for p in self.parents.get(t, ()) if p not in seen]
                seen.update(level)
            self._cache[term] = found
        return self._cache[term]

    def depth(self, term: str) -> int:
        """The longest path from ``term`` up its superclasses (the most specific class of a
        node is the deepest of its classes)."""
        best, level, seen = 0, [term], {term}
        while level:
            level = [p for t in level for p in self.parents.get(t, ()) if p not in seen]
            seen.update(level)
            best += bool(level)
        return best


def stream(kg: GraphPort) -> Iterator[Node | Edge]:
    """Every node and edge of ``kg``, nodes of the knowledge base first; each edge's ends are
    nodes yielded before or after it (the MeSH descriptors come last)."""
    biolink = _Biolink(kg)
    parts = (_entities(kg, biolink), _claims(kg, biolink), _plain_edges(kg, biolink),
             _literature(kg))  # fmt: skip
    count = 0
    for part in parts:
        for record in part:
            yield record
            count += 1
            if count % 10000 == 0:
                step("property graph: nodes and edges", count)
    step("property graph: nodes and edges", count, count)


def _entities(kg: GraphPort, biolink: _Biolink) -> Iterator[Node]:
    rows: dict[str, dict[str, str | list[str]]] = {}
    for row in kg.select(_ENTITIES):
        iri = _value(row["entity"])
        entry = rows.setdefault(iri, {"types": [], "label": "", "definition": ""})
        types = entry["types"]
        assert isinstance(types, list)
        if _value(row["type"]) not in types:
            types.append(_value(row["type"]))
        entry["label"] = entry["label"] or _value(row["label"])
        entry["definition"] = entry["definition"] or _value(row["definition"])
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in kg.select(_ENTITY_VALUES):
        field = _value(row["field"])[len(_SKOS) :]
        term = row["value"]
        text = _value(term)
        values[_value(row["entity"])][field].append(
            compact(text) if isinstance(term, ox.NamedNode) else text
        )
    for iri, entry in rows.items():
        types = entry["types"]
        assert isinstance(types, list)
        specific = max(sorted(types), key=biolink.depth)
        category = biolink.of(specific) or NAMED_THING
        more = values.get(iri, {})
        sentences, articles = entity_counts(kg, ox.NamedNode(iri))
        yield Node(
            id=compact(iri),
            category=(category,),
            name=str(entry["label"]),
            description=str(entry["definition"]),
            synonym=tuple(more.get("altLabel", ())),
            xref=tuple(more.get("exactMatch", ())),
            close_match=tuple(more.get("closeMatch", ())),
            broad_match=tuple(more.get("broadMatch", ())),
            narrow_match=tuple(more.get("narrowMatch", ())),
            iri=iri,
            igfkg_type=compact(specific),
            evidence_sentences=sentences,
            evidence_articles=articles,
        )


def _publications(kg: GraphPort) -> dict[str, str]:
    """Each claim source's publication id: ``PMID:n``, else ``doi:...``; none for the
    curators' background knowledge (not a publication)."""
    out: dict[str, str] = {}
    for row in kg.select(_PUBLICATIONS):
        source, pmid, doi = _value(row["source"]), _value(row["pmid"]), _value(row["doi"])
        if pmid:
            out[source] = f"PMID:{pmid}"
        elif doi and source not in out:
            out[source] = f"doi:{doi}"
    return out


def _claims(kg: GraphPort, biolink: _Biolink) -> Iterator[Edge]:
    pubs = _publications(kg)
    many: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in kg.select(_CLAIM_VALUES):
        field = _value(row["field"]).rsplit("/", 1)[-1]
        value = row["value"]
        text = _value(value)
        if field == "source":
            if text in pubs:
                many[_value(row["claim"])]["source"].append(pubs[text])
            continue
        many[_value(row["claim"])][field].append(
            compact(text) if isinstance(value, ox.NamedNode) else text
        )
    for row in kg.select(_CLAIMS):
        claim = _value(row["claim"])
        subject, predicate, obj = (_value(row[k]) for k in ("subject", "predicate", "object"))
        certainty = _value(row["certainty"])
        level = certainty[len(BASE) :] if certainty.startswith(BASE) else certainty
        more = many.get(claim, {})
        yield Edge(
            id=_edge_id("claim", claim),
            subject=compact(subject),
            predicate=biolink.of(predicate) or RELATED_TO,
            object=compact(obj),
            original_predicate=compact(predicate),
            knowledge_level=KNOWLEDGE_LEVEL.get(level, "not_provided"),
            agent_type=AGENT_TYPE["curated"],
            publications=tuple(dict.fromkeys(more.get("source", ()))),
            hedged=certainty != _ESTABLISHED,
            certainty=compact(certainty),
            hedge_cues=tuple(more.get("hedgeCue", ())),
            supporting_text=_value(row["quote"]),
            claim_id=claim,
            claim_group=_value(row["group"]),
            supporting_evidence=tuple(more.get("supportingEvidence", ())),
            qualifying_evidence=tuple(more.get("qualifyingEvidence", ())),
            contradicting_evidence=tuple(more.get("contradictingEvidence", ())),
        )


def _plain_edges(kg: GraphPort, biolink: _Biolink) -> Iterator[Edge]:
    for row in kg.select(_PLAIN_EDGES):
        subject, predicate, obj = (_value(row[k]) for k in ("subject", "predicate", "object"))
        yield Edge(
            id=_edge_id("edge", subject, predicate, obj),
            subject=compact(subject),
            predicate=biolink.of(predicate) or RELATED_TO,
            object=compact(obj),
            original_predicate=compact(predicate),
            knowledge_level=KNOWLEDGE_LEVEL["Established"],
            agent_type=AGENT_TYPE["curated"],
            certainty=compact(_ESTABLISHED),
        )


def _match(
    kg: GraphPort,
    s: ox.NamedNode | None,
    p: ox.NamedNode | None,
    o: ox.NamedNode | None,
    g: ox.NamedNode | None,
) -> Iterable[ox.Quad]:
    """Quads by pattern: the embedded stores' own lookup (lazy), else a SPARQL query."""
    try:
        return kg.backend.match(s, p, o, g)
    except NotImplementedError:
        pass
    bound = {k: v for k, v in {"s": s, "p": p, "o": o, "g": g}.items() if v is not None}
    rows = kg.select(_MATCH, bound)
    return (
        ox.Quad(r["s"], r["p"], r["o"], r["g"])  # type: ignore[arg-type]
        for r in rows
    )


def _literature(kg: GraphPort) -> Iterator[Node | Edge]:
    """The articles, one at a time, with an edge to each MeSH descriptor they are indexed
    with, then the descriptors seen."""
    graphs = [
        ox.NamedNode(GRAPH_KB),
        *sorted(
            (g for g in kg.backend.named_graphs() if g.value.startswith(GRAPH_SOURCES)),
            key=lambda g: g.value,
        ),
    ]
    rdf_type, article = ox.NamedNode(_RDF_TYPE), ox.NamedNode(_ARTICLE)
    descriptors: set[str] = set()
    seen: set[str] = set()
    for graph in graphs:
        for typed in _match(kg, None, rdf_type, article, graph):
            node = typed.subject
            if not isinstance(node, ox.NamedNode) or node.value in seen:
                continue
            if graph.value == GRAPH_KB:
                seen.add(node.value)  # curated articles are never ingested again
            fields: dict[str, list[Term]] = defaultdict(list)
            for quad in _match(kg, node, None, None, graph):
                if not isinstance(quad.object, ox.Triple):
                    fields[quad.predicate.value].append(quad.object)
            pmid = _first(fields, _PMID)
            curie = f"PMID:{pmid}" if pmid else compact(node.value)
            doi = _first(fields, _DOI)
            yield Node(
                id=curie,
                category=(ARTICLE_CATEGORY,),
                name=_first(fields, _TITLE) or _first(fields, _LABEL),
                xref=(f"doi:{doi}",) if doi else (),
                iri=node.value,
                igfkg_type=compact(_ARTICLE),
            )
            major = {_value(o) for o in fields.get(_HAS_MAJOR, ())}
            for descriptor in dict.fromkeys(_value(o) for o in fields.get(_HAS_DESCRIPTOR, ())):
                descriptors.add(descriptor)
                yield Edge(
                    id=_edge_id("mesh", node.value, descriptor),
                    subject=curie,
                    predicate=MENTIONS,
                    object=compact(descriptor),
                    original_predicate=compact(_HAS_DESCRIPTOR),
                    knowledge_level=KNOWLEDGE_LEVEL["Established"],
                    agent_type=AGENT_TYPE["indexing"],
                    publications=(curie,) if pmid else (),
                    major_topic=descriptor in major,
                )
    label = ox.NamedNode(_LABEL)
    for descriptor in sorted(descriptors):
        names = [q.object for q in _match(kg, ox.NamedNode(descriptor), label, None, None)]
        yield Node(
            id=compact(descriptor),
            category=(NAMED_THING,),
            name=min((_value(n) for n in names), default=""),
            iri=descriptor,
            igfkg_type="meshv:Descriptor",
        )


def _first(fields: dict[str, list[Term]], predicate: str) -> str:
    values = sorted(_value(v) for v in fields.get(predicate, ()))
    return values[0] if values else ""
