"""The ontology (TBox) documented on one HTML page, in the manner of pyLODE/LODE: the ontology's
metadata as it states it, a table of contents, and one section per class, property and
value-list individual (anchor: its local name) with its IRI, label, definition, super- and
sub-terms, restrictions, domain and range, inverse, where a class is a domain or range, and
mappings to other vocabularies. Read from the ontology's named graph (the TBox as asserted:
neither the KB nor the OWL 2 RL closure); every value escaped; inline CSS only, nothing loaded
from another host; the same graph gives the same bytes.

>>> import igfkg
>>> html = ontology_doc(igfkg.open()).decode("utf-8")
>>> '<section class="term" id="Drug"' in html, 'href="#hasAdverseEffect"' in html
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox
from markupsafe import Markup, escape

from igfkg.core import sparql
from igfkg.core.namespaces import GRAPH_ONTOLOGY, IGFKG, PREFIXES
from igfkg.web.model import external
from igfkg.web.render import environment

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["SECTIONS", "OntologyDoc", "TermDoc", "document", "ontology_doc"]

_TBOX = sparql.load("igfkg.web", "ontology-doc")

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_DC = "http://purl.org/dc/elements/1.1/"
_VANN = "http://purl.org/vocab/vann/"
_TYPE = _RDF + "type"

#: Prefixes for the CURIEs the page shows: igfkg's own, and a few vocabularies ontologies use.
_PREFIXES = {
    **PREFIXES,
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "oa": "http://www.w3.org/ns/oa#",
    "dc": _DC,
    "vann": _VANN,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
}
_BY_LENGTH = sorted(_PREFIXES.items(), key=lambda item: (-len(item[1]), item[0]))

#: The sections of the page, in order: (kind, element id, heading).
SECTIONS = (
    ("class", "classes", "Classes"),
    ("object", "object-properties", "Object properties"),
    ("datatype", "datatype-properties", "Datatype properties"),
    ("annotation", "annotation-properties", "Annotation properties"),
    ("individual", "named-individuals", "Named individuals (value lists)"),
)
# A term's kind from its rdf:type, the first in this order deciding its section.
_KINDS = {
    _OWL + "Class": ("class", "class"),
    _RDFS + "Class": ("class", "class"),
    _OWL + "ObjectProperty": ("object", "object property"),
    _OWL + "DatatypeProperty": ("datatype", "datatype property"),
    _OWL + "AnnotationProperty": ("annotation", "annotation property"),
    _OWL + "NamedIndividual": ("individual", "named individual"),
}
_ORDER = [kind for kind, _, _ in SECTIONS]
_CHARACTERISTICS = {
    _OWL + "FunctionalProperty": "functional",
    _OWL + "InverseFunctionalProperty": "inverse functional",
    _OWL + "TransitiveProperty": "transitive",
    _OWL + "SymmetricProperty": "symmetric",
    _OWL + "AsymmetricProperty": "asymmetric",
    _OWL + "ReflexiveProperty": "reflexive",
    _OWL + "IrreflexiveProperty": "irreflexive",
}
_MATCHES = {
    _SKOS + "exactMatch": "Exact match",
    _SKOS + "closeMatch": "Close match",
    _SKOS + "broadMatch": "Broad match",
    _SKOS + "narrowMatch": "Narrow match",
    _SKOS + "relatedMatch": "Related match",
}
# Annotations of a term shown under a name of their own (any other under its CURIE).
_ANNOTATIONS = {
    _SKOS + "altLabel": "Synonyms",
    _SKOS + "prefLabel": "Preferred label",
    _RDFS + "comment": "Comment",
    _SKOS + "scopeNote": "Scope note",
    _SKOS + "example": "Example",
    _SKOS + "editorialNote": "Editorial note",
    _DCT + "source": "Source",
    _RDFS + "seeAlso": "See also",
    _RDFS + "isDefinedBy": "Defined by",
    _OWL + "deprecated": "Deprecated",
    _OWL + "sameAs": "Same as",
    _OWL + "differentFrom": "Different from",
}
# What the page shows elsewhere in a term's section (or in its heading).
_STRUCTURAL = {
    _TYPE,
    _RDFS + "label",
    _SKOS + "definition",
    _RDFS + "subClassOf",
    _RDFS + "subPropertyOf",
    _OWL + "equivalentClass",
    _OWL + "equivalentProperty",
    _OWL + "disjointWith",
    _OWL + "propertyDisjointWith",
    _RDFS + "domain",
    _RDFS + "range",
    _OWL + "inverseOf",
    _OWL + "propertyChainAxiom",
    _OWL + "unionOf",
    _OWL + "intersectionOf",
    _OWL + "oneOf",
    _OWL + "complementOf",
    *_MATCHES,
}
# The ontology's own metadata, in this order (title and description are shown apart).
_METADATA = {
    _OWL + "versionIRI": "Version IRI",
    _OWL + "versionInfo": "Version",
    _OWL + "priorVersion": "Prior version",
    _OWL + "imports": "Imports",
    _DCT + "license": "Licence",
    _DCT + "rights": "Rights",
    _DC + "rights": "Rights",
    _DCT + "creator": "Creators",
    _DC + "creator": "Creators",
    _DCT + "contributor": "Contributors",
    _DC + "contributor": "Contributors",
    _DCT + "publisher": "Publisher",
    _DC + "publisher": "Publisher",
    _DCT + "created": "Created",
    _DCT + "issued": "Issued",
    _DCT + "modified": "Modified",
    _DCT + "source": "Source",
    _DCT + "bibliographicCitation": "Cite as",
    _VANN + "preferredNamespacePrefix": "Preferred prefix",
    _VANN + "preferredNamespaceUri": "Preferred namespace",
    _RDFS + "comment": "Comment",
    _RDFS + "seeAlso": "See also",
}
_TITLES = (_DCT + "title", _DC + "title", _RDFS + "label")
_DESCRIPTIONS = (_DCT + "description", _DC + "description")
_FACETS = {
    _XSD + "minInclusive": "≥",
    _XSD + "maxInclusive": "≤",
    _XSD + "minExclusive": ">",
    _XSD + "maxExclusive": "<",
    _XSD + "length": "length",
    _XSD + "minLength": "minLength",
    _XSD + "maxLength": "maxLength",
    _XSD + "pattern": "pattern",
}
_CARDINALITIES = {
    _OWL + "minCardinality": "min",
    _OWL + "maxCardinality": "max",
    _OWL + "cardinality": "exactly",
    _OWL + "minQualifiedCardinality": "min",
    _OWL + "maxQualifiedCardinality": "max",
    _OWL + "qualifiedCardinality": "exactly",
}
_DEPTH = 12  # deepest class expression shown (the rest is elided)

Node = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal
Row = tuple[str, list[Markup]]


@dataclass
class TermDoc:
    """One documented term: where it is (``anchor``), what it is, and the rows of its table."""

    iri: str
    anchor: str
    label: str
    kind: str
    kinds: list[str]
    own: bool
    curie: str
    definitions: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass
class OntologyDoc:
    """Everything the page shows."""

    title: str
    ontologies: list[tuple[str, list[str], list[Row]]]
    sections: list[tuple[str, str, list[TermDoc]]]
    reused: list[tuple[str, str, list[TermDoc]]]
    axioms: list[Markup]
    namespaces: list[tuple[str, str]]


def _key(markup: Markup) -> tuple[str, str]:
    return (markup.striptags().casefold(), str(markup))


class _Graph:
    """The triples of one graph, indexed both ways."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[Node, dict[str, list[Value]]] = {}
        self.into: dict[Value, dict[str, list[Node]]] = {}
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if not isinstance(s, ox.NamedNode | ox.BlankNode) or not isinstance(
                o, ox.NamedNode | ox.BlankNode | ox.Literal
            ):
                continue
            self.out.setdefault(s, {}).setdefault(p, []).append(o)
            self.into.setdefault(o, {}).setdefault(p, []).append(s)

    def objects(self, s: Node, p: str) -> list[Value]:
        return self.out.get(s, {}).get(p, [])

    def subjects(self, p: str, o: Value) -> list[Node]:
        return self.into.get(o, {}).get(p, [])

    def one(self, s: Node, p: str) -> Value | None:
        found = self.objects(s, p)
        return found[0] if found else None

    def items(self, node: Value | None) -> list[Value]:
        """The members of an RDF list (a malformed or cyclic list ends where it goes wrong)."""
        out: list[Value] = []
        seen: set[Value | None] = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            first = self.one(node, _RDF + "first")
            if first is None:
                break
            out.append(first)
            node = self.one(node, _RDF + "rest")
        return out

    def types(self, s: Node) -> set[str]:
        return {o.value for o in self.objects(s, _TYPE) if isinstance(o, ox.NamedNode)}


class _Writer:
    """Turns the graph's terms into escaped HTML fragments, noting the prefixes it uses."""

    def __init__(self, graph: _Graph) -> None:
        self.g = graph
        self.terms: dict[str, TermDoc] = {}
        self.prefixes: set[str] = set()

    # -- names -------------------------------------------------------------------------------

    def curie(self, iri: str) -> str:
        for prefix, base in _BY_LENGTH:
            if iri.startswith(base) and len(iri) > len(base):
                self.prefixes.add(prefix)
                return f"{prefix}:{iri[len(base) :]}"
        return iri

    def label(self, node: Node) -> str:
        labels = [o for o in self.g.objects(node, _RDFS + "label") if isinstance(o, ox.Literal)]
        if not labels:
            return ""
        return min(labels, key=lambda o: (_lang_rank(o), o.value)).value

    # -- values ------------------------------------------------------------------------------

    def ref(self, iri: str) -> Markup:
        """A link to the term's section, else to where its vocabulary shows it, else its
        CURIE."""
        doc = self.terms.get(iri)
        if doc is not None:
            return Markup('<a href="#{}">{}</a>').format(doc.anchor, doc.label)
        shown = self.curie(iri)
        outside = None if iri.startswith(IGFKG) else external(iri)
        if outside is not None:
            return Markup('<a href="{}"><code>{}</code></a>').format(outside, shown)
        return Markup("<code>{}</code>").format(shown)

    def iri_link(self, iri: str) -> Markup:
        """A full IRI, linked when it is a web address."""
        if iri.startswith(("http://", "https://")):
            return Markup('<a href="{}"><code>{}</code></a>').format(iri, iri)
        return Markup("<code>{}</code>").format(iri)

    def literal(self, term: ox.Literal) -> Markup:
        if term.language and not term.language.startswith("en"):
            return Markup('{} <span class="lang">({})</span>').format(term.value, term.language)
        return escape(term.value)

    def value(self, term: Value) -> Markup:
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.NamedNode):
            return self.ref(term.value)
        return self.expression(term)

    # -- class expressions, in Manchester-like words -----------------------------------------

    def expression(self, node: Value, depth: int = 0, *, structure: bool = False) -> Markup:
        """A class or property expression (``hasX some Y``, ``A or B``, ``{a, b}``); a named
        node is a link unless ``structure`` asks for the expression it is equivalent to."""
        if isinstance(node, ox.Literal):
            return Markup("<q>{}</q>").format(node.value)
        if isinstance(node, ox.NamedNode) and not structure:
            return self.ref(node.value)
        if depth > _DEPTH:
            return Markup("…")
        g = self.g

        def sub(part: Value) -> Markup:
            inner = self.expression(part, depth + 1)
            if isinstance(part, ox.BlankNode) and _compound(g, part):
                return Markup("({})").format(inner)
            return inner

        def joined(parts: list[Value], word: str) -> Markup:
            glue = Markup(' <span class="kw">{}</span> ').format(word)
            return glue.join(sub(p) for p in parts)

        if (found := g.one(node, _OWL + "unionOf")) is not None:
            return joined(g.items(found), "or")
        if (found := g.one(node, _OWL + "intersectionOf")) is not None:
            return joined(g.items(found), "and")
        if (found := g.one(node, _OWL + "complementOf")) is not None:
            return Markup('<span class="kw">not</span> {}').format(sub(found))
        if (found := g.one(node, _OWL + "oneOf")) is not None:
            members = Markup(", ").join(self.value(m) for m in g.items(found))
            return Markup("{{{}}}").format(members)
        if (prop := g.one(node, _OWL + "onProperty")) is not None:
            return self.restriction(node, sub(prop), sub)
        found = g.one(node, _OWL + "inverseOf") if isinstance(node, ox.BlankNode) else None
        if found is not None:
            return Markup('<span class="kw">inverse</span> {}').format(sub(found))
        if (datatype := g.one(node, _OWL + "onDatatype")) is not None:
            facets = []
            for facet in g.items(g.one(node, _OWL + "withRestrictions")):
                if isinstance(facet, ox.BlankNode):
                    for p, values in sorted(g.out.get(facet, {}).items()):
                        for v in values:
                            word = _FACETS.get(p, self.curie(p))
                            facets.append(Markup("{} {}").format(word, self.value(v)))
            return Markup("{}[{}]").format(sub(datatype), Markup(", ").join(facets))
        if isinstance(node, ox.NamedNode):
            return self.ref(node.value)
        return Markup('<span class="anon">an anonymous class</span>')

    def restriction(self, node: Node, prop: Markup, sub: Callable[[Value], Markup]) -> Markup:
        g = self.g

        def said(word: str, filler: Markup | str) -> Markup:
            return Markup('{} <span class="kw">{}</span> {}').format(prop, word, filler)

        if (found := g.one(node, _OWL + "someValuesFrom")) is not None:
            return said("some", sub(found))
        if (found := g.one(node, _OWL + "allValuesFrom")) is not None:
            return said("only", sub(found))
        if (found := g.one(node, _OWL + "hasValue")) is not None:
            return said("value", self.value(found))
        if g.one(node, _OWL + "hasSelf") is not None:
            return Markup('{} <span class="kw">Self</span>').format(prop)
        for p, word in _CARDINALITIES.items():
            if (found := g.one(node, p)) is not None:
                filler = g.one(node, _OWL + "onClass") or g.one(node, _OWL + "onDataRange")
                number = escape(found.value)
                if filler is None:
                    return said(word, number)
                return said(word, Markup("{} {}").format(number, sub(filler)))
        return Markup('{} <span class="anon">(a restriction)</span>').format(prop)

    # -- rows --------------------------------------------------------------------------------

    def shown(self, values: Iterable[Value]) -> list[Markup]:
        return sorted({self.value(v) for v in values}, key=_key)

    def refs(self, nodes: Iterable[Node]) -> list[Markup]:
        return sorted({self.ref(n.value) for n in nodes if isinstance(n, ox.NamedNode)}, key=_key)


def _lang_rank(term: ox.Literal) -> int:
    """English first, then no language, then the others."""
    lang = term.language or ""
    if lang == "en" or lang.startswith("en-"):
        return 0
    return 1 if not lang else 2


def _compound(g: _Graph, node: ox.BlankNode) -> bool:
    return any(
        g.one(node, _OWL + p) is not None
        for p in ("unionOf", "intersectionOf", "onProperty", "complementOf")
    )


def _local(iri: str) -> str | None:
    """The local name of one of igfkg's own terms, or None."""
    if not iri.startswith(IGFKG):
        return None
    local = iri[len(IGFKG) :]
    return local if local and "/" not in local else None


def document(kg: GraphPort) -> OntologyDoc:
    """What the page shows, read from the ontology graph of ``kg``."""
    answer = kg.sparql(_TBOX, {"graph": ox.NamedNode(GRAPH_ONTOLOGY)})
    assert isinstance(answer, list)
    g = _Graph(answer)
    w = _Writer(g)
    # the documented terms: every IRI the graph declares a class, property or individual
    for node in g.out:
        if not isinstance(node, ox.NamedNode):
            continue
        types = g.types(node)
        kinds = [kind for t, kind in _KINDS.items() if t in types]
        if not kinds:
            continue
        kind = min((k for k, _ in kinds), key=_ORDER.index)
        names = list(dict.fromkeys(name for _, name in kinds))
        names += [name for t, name in _CHARACTERISTICS.items() if t in types]
        local = _local(node.value)
        curie = w.curie(node.value)
        w.terms[node.value] = TermDoc(
            iri=node.value,
            anchor=local if local is not None else curie,
            label=w.label(node) or (local if local is not None else curie),
            kind=kind,
            kinds=names,
            own=local is not None,
            curie=curie,
        )
    for doc in w.terms.values():
        _fill(w, doc)
    ontologies = []
    for node in sorted(g.subjects(_TYPE, ox.NamedNode(_OWL + "Ontology")), key=str):
        if isinstance(node, ox.NamedNode):
            ontologies.append(_metadata(w, node))
    title = ontologies[0][0] if ontologies else "Ontology"

    def ordered(own: bool) -> list[tuple[str, str, list[TermDoc]]]:
        out = []
        for kind, anchor, heading in SECTIONS:
            docs = [d for d in w.terms.values() if d.kind == kind and d.own == own]
            docs.sort(key=lambda d: (d.label.casefold(), d.iri))
            out.append((anchor if own else f"reused-{anchor}", heading, docs))
        return out

    sections, reused = ordered(True), [s for s in ordered(False) if s[2]]
    axioms = _axioms(w)
    namespaces = sorted((p, _PREFIXES[p]) for p in w.prefixes)
    return OntologyDoc(title, ontologies, sections, reused, axioms, namespaces)


def _fill(w: _Writer, doc: TermDoc) -> None:
    """The definition and table rows of one term."""
    g = w.g
    node = ox.NamedNode(doc.iri)
    doc.definitions = sorted(
        {o.value for o in g.objects(node, _SKOS + "definition") if isinstance(o, ox.Literal)}
    )
    rows: list[Row] = []

    def add(title: str, values: list[Markup]) -> None:
        if values:
            rows.append((title, values))

    if doc.kind == "class":
        supers = g.objects(node, _RDFS + "subClassOf")
        restrictions = [s for s in supers if _is_restriction(g, s)]
        add("Super-classes", w.shown(s for s in supers if s not in restrictions))
        add("Restrictions", w.shown(restrictions))
        equivalents = [*g.objects(node, _OWL + "equivalentClass")]
        equivalents += g.subjects(_OWL + "equivalentClass", node)
        shown = w.shown(equivalents)
        if any(g.one(node, _OWL + p) is not None for p in ("unionOf", "intersectionOf", "oneOf")):
            shown.append(w.expression(node, structure=True))
        add("Equivalent to", shown)
        disjoint = [*g.objects(node, _OWL + "disjointWith")]
        disjoint += g.subjects(_OWL + "disjointWith", node)
        for axiom in g.subjects(_TYPE, ox.NamedNode(_OWL + "AllDisjointClasses")):
            members = g.items(g.one(axiom, _OWL + "members"))
            if node in members:
                disjoint += [m for m in members if m != node]
        add("Disjoint with", w.shown(disjoint))
        add("Sub-classes", w.refs(g.subjects(_RDFS + "subClassOf", node)))
        add("Instances", w.refs(g.subjects(_TYPE, node)))
        add("In domain of", w.refs(_where(g, _RDFS + "domain", node)))
        add("In range of", w.refs(_where(g, _RDFS + "range", node)))
    elif doc.kind in ("object", "datatype", "annotation"):
        add("Super-properties", w.shown(g.objects(node, _RDFS + "subPropertyOf")))
        equivalents = [*g.objects(node, _OWL + "equivalentProperty")]
        equivalents += g.subjects(_OWL + "equivalentProperty", node)
        add("Equivalent to", w.shown(equivalents))
        disjoint = [*g.objects(node, _OWL + "propertyDisjointWith")]
        disjoint += g.subjects(_OWL + "propertyDisjointWith", node)
        add("Disjoint with", w.shown(disjoint))
        add("Sub-properties", w.refs(g.subjects(_RDFS + "subPropertyOf", node)))
        add("Domain", w.shown(g.objects(node, _RDFS + "domain")))
        add("Range", w.shown(g.objects(node, _RDFS + "range")))
        inverse = [*g.objects(node, _OWL + "inverseOf")]
        inverse += g.subjects(_OWL + "inverseOf", node)
        add("Inverse of", w.shown(inverse))
        chains = []
        for chain in g.objects(node, _OWL + "propertyChainAxiom"):
            glue = Markup(' <span class="kw">o</span> ')
            chains.append(glue.join(w.expression(p) for p in g.items(chain)))
        add("Property chain", sorted(chains, key=_key))
    if doc.kind == "individual":
        types = [t for t in g.objects(node, _TYPE) if t.value not in _KINDS]
        add("Type", w.shown(types))
    for predicate, title in _MATCHES.items():
        add(title, w.shown(g.objects(node, predicate)))
    others = {p: values for p, values in g.out.get(node, {}).items() if p not in _STRUCTURAL}
    for predicate in sorted(others, key=lambda p: (p not in _ANNOTATIONS, w.curie(p))):
        add(_ANNOTATIONS.get(predicate) or w.curie(predicate), w.shown(others[predicate]))
    doc.rows = rows


def _is_restriction(g: _Graph, node: Value) -> bool:
    return isinstance(node, ox.BlankNode) and g.one(node, _OWL + "onProperty") is not None


def _where(g: _Graph, predicate: str, cls: ox.NamedNode) -> list[Node]:
    """The properties whose domain (range) is ``cls`` or a union that has it as a member."""
    found = list(g.subjects(predicate, cls))
    for lst in g.subjects(_RDF + "first", cls):
        # climb from the list cell to the head the union points at
        head: Node = lst
        seen = {head}
        while (before := g.subjects(_RDF + "rest", head)) and before[0] not in seen:
            head = before[0]
            seen.add(head)
        for union in g.subjects(_OWL + "unionOf", head):
            found += g.subjects(predicate, union)
    return found


def _metadata(w: _Writer, node: ox.NamedNode) -> tuple[str, list[str], list[Row]]:
    """The ontology's title, description and the rows of what else it states about itself."""
    g = w.g
    title = ""
    for p in _TITLES:
        titles = [o for o in g.objects(node, p) if isinstance(o, ox.Literal)]
        if titles:
            title = min(titles, key=lambda o: (_lang_rank(o), o.value)).value
            break
    descriptions = sorted(
        {o.value for p in _DESCRIPTIONS for o in g.objects(node, p) if isinstance(o, ox.Literal)}
    )
    rows: list[Row] = [("IRI", [w.iri_link(node.value)])]
    stated = g.out.get(node, {})
    grouped: dict[str, list[Markup]] = {}
    known = [p for p in _METADATA if p in stated]
    others = sorted((p for p in stated if p not in _METADATA), key=w.curie)
    for p in known + others:
        if p in (_TYPE, *_TITLES, *_DESCRIPTIONS):
            continue
        shown = grouped.setdefault(_METADATA.get(p) or w.curie(p), [])
        for o in stated[p]:
            shown.append(w.iri_link(o.value) if isinstance(o, ox.NamedNode) else w.value(o))
    rows += [(name, sorted(set(values), key=_key)) for name, values in grouped.items()]
    return title or node.value, descriptions, rows


def _axioms(w: _Writer) -> list[Markup]:
    """General axioms: sets of pairwise disjoint classes or properties, distinct individuals."""
    g = w.g
    out = []
    for kind, title, lists in (
        ("AllDisjointClasses", "Disjoint classes", (_OWL + "members",)),
        ("AllDisjointProperties", "Disjoint properties", (_OWL + "members",)),
        ("AllDifferent", "Different individuals", (_OWL + "members", _OWL + "distinctMembers")),
    ):
        for axiom in g.subjects(_TYPE, ox.NamedNode(_OWL + kind)):
            for p in lists:
                found = g.one(axiom, p)
                if found is not None:
                    members = Markup(", ").join(w.shown(g.items(found)))
                    out.append(Markup("{}: {}").format(title, members))
    return sorted(set(out), key=_key)


def ontology_doc(kg: GraphPort, *, home: str | None = None) -> bytes:
    """The ontology's documentation page, UTF-8; ``home``: a link back to a site's home page
    (none in the release's copy)."""
    doc = document(kg)
    html = (
        environment()
        .get_template("ontology-doc.html")
        .render(doc=doc, home=home, sections=doc.sections, reused=doc.reused)
    )
    return html.encode("utf-8")
