"""Namespaces, named graphs and CURIE prefixes used by igfkg.

>>> expand_curie("MESH:D007334")
'http://id.nlm.nih.gov/mesh/D007334'
>>> compact("http://purl.uniprot.org/uniprot/P05019")
'UniProtKB:P05019'
>>> expand_curie("nope:x") is None
True
"""

from __future__ import annotations

__all__ = [
    "BASE",
    "EVIDENCE_FORMAT",
    "GRAPH_INFERRED",
    "GRAPH_KB",
    "GRAPH_ONTOLOGY",
    "GRAPH_SOURCES",
    "IGFKG",
    "KB",
    "PREFIXES",
    "compact",
    "expand_curie",
]

BASE = "https://w3id.org/igfkg/"
IGFKG = BASE
KB = BASE + "kb/"
GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_KB = BASE + "graph/kb"
#: The OWL 2 RL closure (``igfkg reason --materialize``).
GRAPH_INFERRED = BASE + "graph/inferred"
#: Ingested literature: one named graph per source file under this prefix.
GRAPH_SOURCES = BASE + "graph/source/"
#: The layout of the evidence graph it writes (``igfkg:evidenceFormat``): 3 keeps the counts of
#: candidate statements and of yearly evidence per entity and per pair of entities.
EVIDENCE_FORMAT = "3"

#: CURIE prefix -> IRI prefix. External expansions follow the Biolink prefix map; ordered so
#: that :func:`compact` picks the most specific prefix first.
PREFIXES: dict[str, str] = {
    "igfkg": IGFKG,
    "kb": KB,
    "shapes": BASE + "shapes/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "meshv": "http://id.nlm.nih.gov/mesh/vocab#",
    "UniProtKB": "http://purl.uniprot.org/uniprot/",
    "HGNC": "http://identifiers.org/hgnc/",
    "DRUGBANK": "http://identifiers.org/drugbank/",
    "PMID": "http://www.ncbi.nlm.nih.gov/pubmed/",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "RO": "http://purl.obolibrary.org/obo/RO_",
    "BFO": "http://purl.obolibrary.org/obo/BFO_",
    "biolink": "https://w3id.org/biolink/vocab/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
}

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_CASEFOLDED = {prefix.casefold(): iri for prefix, iri in PREFIXES.items()}


def expand_curie(curie: str) -> str | None:
    """Expand ``PREFIX:local`` to an IRI (prefix case-insensitive), or None if not a known CURIE."""
    prefix, sep, local = curie.partition(":")
    if not sep or local.startswith("//"):
        return None
    base = _CASEFOLDED.get(prefix.casefold())
    if base is None or not local or any(c.isspace() for c in local):
        return None
    return base + local


def compact(iri: str) -> str:
    """Compact an IRI to a CURIE with a known prefix, or return it unchanged."""
    for prefix, base in _BY_LENGTH:
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base) :]}"
    return iri
