"""OWL 2 RL materialisation into a separate named graph, with the Rust ``reasonable`` engine.

Why ``reasonable``: on the bundled graph it takes 0.07 s against ``owlrl``'s 0.8 s (measured
here), and 1.1 s against 67 s on a 20k-triple graph (reference figures; 100k: 3.4 s); ``owlrl``
also writes triples with literal subjects (599 on the bundled graph) that RDF stores reject.

Only useful conclusions are kept: statements about blank nodes (OWL axiom and list structure),
``owl:Thing`` typing and reflexive ``owl:sameAs`` / ``owl:equivalentClass`` /
``rdfs:subClassOf`` / ``rdfs:subPropertyOf`` statements are dropped.

>>> import igfkg
>>> kg = igfkg.open()
>>> n = materialize(kg)
>>> bool(kg.sparql("ASK { GRAPH <https://w3id.org/igfkg/graph/inferred> { "
...     "<https://w3id.org/igfkg/kb/insulin> <https://w3id.org/igfkg/sharesHomologyWith> "
...     "<https://w3id.org/igfkg/kb/igf-1> } }"))
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core.namespaces import GRAPH_INFERRED

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["GRAPH_INFERRED", "inferred_triples", "materialize"]

_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_REFLEXIVE = {
    _OWL + "sameAs",
    _OWL + "equivalentClass",
    _OWL + "equivalentProperty",
    _RDFS + "subClassOf",
    _RDFS + "subPropertyOf",
}


def _useful(t: ox.Triple) -> bool:
    s, p, o = t.subject, t.predicate, t.object
    if not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode):
        return False
    if p.value == _TYPE and isinstance(o, ox.NamedNode) and o.value == _OWL + "Thing":
        return False
    return not (p.value in _REFLEXIVE and s == o)


def inferred_triples(asserted: list[ox.Triple]) -> list[ox.Triple]:
    """The OWL 2 RL conclusions of ``asserted`` that are not asserted, sorted."""
    import rdflib
    import reasonable

    from igfkg.core.convert import from_rdflib_term

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(asserted, format=ox.RdfFormat.N_TRIPLES), format="nt")
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    seen = set(asserted)
    out = set()
    for s, p, o in reasoner.reason():
        if isinstance(s, rdflib.Literal):
            continue
        triple = ox.Triple(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o))
        if triple not in seen and _useful(triple):
            out.add(triple)
    return sorted(out, key=str)


def materialize(kg: GraphPort) -> int:
    """Replace the inferred graph of ``kg`` with the OWL 2 RL closure of its other graphs;
    return the number of inferred triples."""
    asserted = sorted(
        {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in kg.backend.quads()
            if getattr(q.graph_name, "value", None) != GRAPH_INFERRED
        },
        key=str,
    )
    triples = inferred_triples(asserted)
    kg.backend.update(f"DROP SILENT GRAPH <{GRAPH_INFERRED}>")
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    kg.backend.load_data(data, "nt", GRAPH_INFERRED)
    return len(triples)
